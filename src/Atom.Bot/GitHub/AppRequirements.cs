namespace Atom.Bot.GitHub;

/// <summary>
/// What a GitHub App must grant for Atom: the one list <c>atom setup</c> puts in the App's manifest and <c>atom doctor</c>
/// checks each installation against, so the two cannot drift (README, "Set it up on GitHub", shows the same table).
/// </summary>
public static class AppRequirements
{
    /// <summary>Every permission some step of Atom's needs: the union of <see cref="GitHubAccess"/>'s required sets, at the highest level any asks.</summary>
    public static readonly IReadOnlyDictionary<string, string> Permissions = new[] { GitHubAccess.Read, GitHubAccess.Push, GitHubAccess.Conversation, GitHubAccess.Certification, GitHubAccess.Merge }
        .SelectMany(a => a.Permissions)
        .GroupBy(p => p.Key, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Any(p => p.Value == "write") ? "write" : "read", StringComparer.Ordinal);

    /// <summary>The events Atom acts on: labels and comments on issues, pull requests and their reviews.</summary>
    public static readonly IReadOnlyList<string> Events = ["issues", "issue_comment", "pull_request", "pull_request_review", "pull_request_review_comment"];

    /// <summary>Events a protected default branch needs: a merge waiting on required checks is tried again when they change.</summary>
    public static readonly IReadOnlyList<string> ProtectedBranchEvents = ["check_run", "check_suite", "status"];

    /// <summary>What an App made for Atom subscribes to: <see cref="Events"/> and <see cref="ProtectedBranchEvents"/>.</summary>
    public static IReadOnlyList<string> AllEvents { get; } = [.. Events, .. ProtectedBranchEvents];
}
