namespace Atom.Bot.Proposals;

/// <summary>One enhancement proposal as the store holds it.</summary>
public sealed record Proposal
{
    public required long Id { get; init; }
    public required string Repository { get; init; }
    public required long RepositoryId { get; init; }
    public long? InstallationId { get; init; }
    public required string CloneUrl { get; init; }
    public required string DefaultBranch { get; init; }
    public required ProposalCategory Category { get; init; }
    public required string Key { get; init; }
    public required string Title { get; init; }
    public required ProposalState State { get; init; }
    public string? StateReason { get; init; }

    /// <summary>The <c>atom:proposal</c> issue that carries the spec, once filed.</summary>
    public int? IssueNumber { get; init; }

    public required string Description { get; init; }
    public required IReadOnlyList<GapEvidence> Evidence { get; init; }
    public required ProposedChange Change { get; init; }

    /// <summary>The model's explanation of the gap and the change, already made inert; null for a template-worded proposal.</summary>
    public string? Explanation { get; init; }

    /// <summary>The model that drafted the text (explanation, and a skill spec's wording); null when the templates did.</summary>
    public string? TextModel { get; init; }
    public string? ApprovedBy { get; init; }
    public bool AutoApproved { get; init; }
    public string? Branch { get; init; }
    public int? PullRequest { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }

    public string Owner => Repository[..Repository.IndexOf('/', StringComparison.Ordinal)];

    public string Name => Repository[(Repository.IndexOf('/', StringComparison.Ordinal) + 1)..];
}
