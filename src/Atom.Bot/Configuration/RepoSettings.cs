namespace Atom.Bot.Configuration;

/// <summary>A repository's rules, read from <c>.github/atom.yml</c> on its default branch only.</summary>
public sealed record RepoSettings
{
    public const string Path = ".github/atom.yml";

    public string TriggerLabel { get; init; } = "atom";
    public string? TestCommand { get; init; }
    public int TestTimeoutSeconds { get; init; } = 600;

    /// <summary>
    /// <c>test_filter_arg</c>: what to append to <see cref="TestCommand"/> to run some tests only, with <c>{filter}</c> where
    /// the worker's filter goes (shell-quoted), e.g. <c>-k {filter}</c> for pytest or <c>--filter {filter}</c> for dotnet
    /// test. Unset: <c>run_tests</c> always runs everything.
    /// </summary>
    public string? TestFilterArg { get; init; }
    public string[] Approvers { get; init; } = [];
    public int RequiredApprovals { get; init; } = 1;
    public bool MergeOnApproval { get; init; } = true;
    public string MergeMethod { get; init; } = "squash";
    public int MaxRevisions { get; init; } = 2;
    public bool RequesterCanApprove { get; init; } = true;
    public bool DeleteBranchOnMerge { get; init; } = true;
    public ScopeSettings Scope { get; init; } = new();
    public AuditorSettings Auditor { get; init; } = new();
    public ProposalSettings Proposals { get; init; } = new();
    public BudgetSettings Budget { get; init; } = new();

    /// <summary><c>test_network</c>: the test command shares the host's network; everything else stays sandboxed.</summary>
    public bool TestNetwork { get; init; }

    /// <summary>
    /// <c>codeowners</c>: the approvals of a package must include an owner (CODEOWNERS on the default branch) of every
    /// changed path. One word, as GitHub writes the file's name.
    /// </summary>
    public bool Codeowners { get; init; }

    /// <summary>
    /// <c>mcp_tools</c>: the MCP tools workers may call here, as <c>server/tool</c> (<see cref="McpToolReference"/>), the
    /// server one of <c>ATOM_MCP_SERVERS</c>; nothing by default.
    /// </summary>
    public string[] McpTools { get; init; } = [];

    public static RepoSettings Defaults { get; } = new();
}
