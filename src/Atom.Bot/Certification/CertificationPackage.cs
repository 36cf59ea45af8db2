namespace Atom.Bot.Certification;

/// <summary>
/// What a human approves: everything the pull request body shows, as data. The body is rendered from it, and a
/// machine-readable copy rides along in a hidden comment so that a package can be read back without the store.
/// </summary>
public sealed record CertificationPackage
{
    public required long TaskId { get; init; }
    public required string Repository { get; init; }
    public required int IssueNumber { get; init; }
    public required string IssueTitle { get; init; }
    public required string DefaultBranch { get; init; }
    public required string Branch { get; init; }

    /// <summary>The commit this package certifies; approvals bind to it.</summary>
    public required string HeadSha { get; init; }

    /// <summary>How many work rounds produced it (1 = no revision).</summary>
    public required int Rounds { get; init; }

    public required bool Passed { get; init; }

    /// <summary>One paragraph: what changed and the outcome.</summary>
    public required string Summary { get; init; }

    /// <summary>Why the package fails (empty when it passes).</summary>
    public IReadOnlyList<string> FailureReasons { get; init; } = [];

    public required PackagePlan Plan { get; init; }
    public required PackageScope Scope { get; init; }
    public required IReadOnlyList<PackageChange> Changes { get; init; }
    public required PackageTests Tests { get; init; }
    public required PackageAuditor Auditor { get; init; }

    /// <summary>
    /// The second auditor's verdict (<c>ATOM_AUDITOR2_*</c>), shown beside the first; null when no second auditor is set.
    /// When the two disagree, or it gave no verdict, the package does not pass and needs a human's attention.
    /// </summary>
    public PackageAuditor? SecondAuditor { get; init; }

    /// <summary>Whether the two auditors' verdicts agree (the same verdict, scores at most 0.3 apart); null unless both gave one.</summary>
    public bool? AuditorsAgree { get; init; }
    public required PackageUsage Usage { get; init; }

    /// <summary>The platform mode the package was made under ("stressed (thermal level 2)"); null when normal.</summary>
    public string? Platform { get; init; }
    /// <summary>
    /// The MCP tools the workers called and why allowed ones were not offered ("MCP server docs unreachable: docs/lookup
    /// not offered"), one line each; empty when the repository allows none.
    /// </summary>
    public IReadOnlyList<string> Mcp { get; init; } = [];
    public required PackageApproval Approval { get; init; }
    public required PackageAuditReference Audit { get; init; }

    /// <summary>Set on an updated package: the change since the package the pull request showed before.</summary>
    public PackageInterdiff? Interdiff { get; init; }

    /// <summary>
    /// Set for an enhancement proposal's package: the approved spec takes the plan's place, the proposal's issue the task's,
    /// and deployment is a human merge (Atom never merges it). <see cref="TaskId"/> is then 0.
    /// </summary>
    public PackageProposal? Proposal { get; init; }

    /// <summary>
    /// True only in the hidden copy of a pull request body that was too large for GitHub: its long lists and texts are
    /// cut (and, for the largest packages, its lists left empty), so it is a summary rather than the whole record.
    /// </summary>
    public bool Abridged { get; init; }
}
