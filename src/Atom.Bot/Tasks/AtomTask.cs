namespace Atom.Bot.Tasks;

/// <summary>One GitHub issue handed to Atom, as the store holds it.</summary>
public sealed record AtomTask
{
    public required long Id { get; init; }
    public required string Repository { get; init; }
    public required long RepositoryId { get; init; }
    public long? InstallationId { get; init; }
    public required string CloneUrl { get; init; }
    public required string DefaultBranch { get; init; }
    public required int IssueNumber { get; init; }
    public required string IssueTitle { get; init; }

    /// <summary>The issue body exactly as GitHub sent it.</summary>
    public required string IssueBody { get; init; }

    /// <summary>The body with HTML comments and invisible characters removed: the only form a model sees.</summary>
    public required string IssueBodyClean { get; init; }

    public required string RequestedBy { get; init; }
    public required TaskState State { get; init; }
    public string? StateReason { get; init; }
    public DateTimeOffset? AcknowledgedAt { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }

    public string Owner => Repository[..Repository.IndexOf('/', StringComparison.Ordinal)];

    public string Name => Repository[(Repository.IndexOf('/', StringComparison.Ordinal) + 1)..];
}
