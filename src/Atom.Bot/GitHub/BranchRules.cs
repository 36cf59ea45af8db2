namespace Atom.Bot.GitHub;

/// <summary>
/// What protects a branch, from its rulesets and its classic branch protection together: what GitHub will require of a
/// merge. <see cref="Unread"/> says what could not be read (classic protection without Administration read), so that a
/// refusal later can be explained.
/// </summary>
public sealed record BranchRules
{
    public static BranchRules None { get; } = new();

    /// <summary>A <c>merge_queue</c> rule: merges go through GitHub's merge queue, never <c>PUT /pulls/{n}/merge</c>.</summary>
    public string? MergeQueueRule { get; init; }

    public IReadOnlyList<RequiredCheck> RequiredChecks { get; init; } = [];

    /// <summary>The most approving pull request reviews any rule requires (0: none).</summary>
    public int RequiredApprovingReviews { get; init; }

    public bool CodeOwnerReview { get; init; }

    /// <summary>Approving reviews count only on the head they were given on (the rule dismisses them on a push).</summary>
    public bool DismissStaleReviews { get; init; }

    /// <summary>The rule(s) that require reviews, for naming them.</summary>
    public string? ReviewRule { get; init; }

    public bool SignaturesRequired { get; init; }

    /// <summary>What could not be read, said with any block or refusal; null when everything was read.</summary>
    public string? Unread { get; init; }
}
