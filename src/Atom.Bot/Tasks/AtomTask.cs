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

    /// <summary>The title as a model may see it: cleaned like the body (<see cref="IssueText.CleanTitle"/>), on one line.</summary>
    public string IssueTitleClean => IssueText.CleanTitle(IssueTitle);

    /// <summary>The issue body exactly as GitHub sent it.</summary>
    public required string IssueBody { get; init; }

    /// <summary>The body with HTML comments and invisible characters removed: the only form a model sees.</summary>
    public required string IssueBodyClean { get; init; }

    public required string RequestedBy { get; init; }

    /// <summary>The labeller's numeric GitHub user id: who the requester is. Null for tasks created before ids were stored.</summary>
    public long? RequestedById { get; init; }
    public required TaskState State { get; init; }
    public string? StateReason { get; init; }
    public DateTimeOffset? AcknowledgedAt { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>0 for the first dispatch; each revision starts the next round.</summary>
    public int Round { get; init; }

    /// <summary>The validated plan as JSON, once planned.</summary>
    public string? Plan { get; init; }

    /// <summary>The task branch <c>atom/issue-&lt;n&gt;/&lt;slug&gt;</c>, once planned.</summary>
    public string? Branch { get; init; }

    /// <summary>The certification package's pull request, once posted.</summary>
    public int? PullRequest { get; init; }

    /// <summary>The head SHA the current package certifies; approvals bind to it.</summary>
    public string? HeadSha { get; init; }

    /// <summary>When <see cref="HeadSha"/> was certified: a <c>/approve</c> comment written before it does not approve it.</summary>
    public DateTimeOffset? CertifiedAt { get; init; }

    /// <summary>The current certification package as JSON.</summary>
    public string? Package { get; init; }

    /// <summary>Rounds a human started (<c>/revise</c>, <c>/retry</c>); they do not count against <c>max_revisions</c>.</summary>
    public int HumanRounds { get; init; }

    public string Owner => Repository[..Repository.IndexOf('/', StringComparison.Ordinal)];

    public string Name => Repository[(Repository.IndexOf('/', StringComparison.Ordinal) + 1)..];
}
