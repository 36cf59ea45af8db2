namespace Atom.Bot.GitHub;

/// <summary>
/// What one step of Atom may do in one repository: the permissions a GitHub App installation token is requested with.
/// Each set is what the step's calls need, no more (docs/security.md, "Short-lived GitHub tokens", has the table).
/// </summary>
public sealed class GitHubAccess
{
    /// <summary>Read <c>.github/atom.yml</c> and fetch the repository.</summary>
    public static readonly GitHubAccess Read = new("read", ("contents", "read"), ("metadata", "read"));

    /// <summary>Fetch and push Atom's branches (a worker's, the combined task branch, a proposal's).</summary>
    public static readonly GitHubAccess Push = new("push", ("contents", "write"), ("metadata", "read"));

    /// <summary>Talk on issues and pull requests: comments, reactions, labels, issue and pull request updates; read the settings and collaborators' permissions.</summary>
    public static readonly GitHubAccess Conversation = new(
        "conversation", ("contents", "read"), ("issues", "write"), ("metadata", "read"), ("pull_requests", "write"));

    /// <summary>Post a package: the pull request, its comments and labels, the <c>atom/certification</c> check run.</summary>
    /// <remarks>The commit-status fallback is for a personal token, which GitHub does not let create check runs.</remarks>
    public static readonly GitHubAccess Certification = new(
        "certification", ("checks", "write"), ("contents", "read"), ("issues", "write"), ("metadata", "read"), ("pull_requests", "write"));

    /// <summary>
    /// Act on an approval: comments, reactions and labels, the base branch's rulesets, its required checks (check runs and
    /// statuses) and the pull request's reviews, the merge or the merge queue, the deletion of the merged branch, and the
    /// <c>atom/approval</c> status when a human merges.
    /// </summary>
    public static readonly GitHubAccess Merge = new(
        "merge", ("checks", "read"), ("contents", "write"), ("issues", "write"), ("metadata", "read"), ("pull_requests", "write"), ("statuses", "write"));

    /// <summary>Read the base branch's classic protection; optional: without it Atom reads the rulesets only.</summary>
    public static readonly GitHubAccess Protection = new("protection", ("administration", "read"), ("metadata", "read"));

    /// <summary>Read an organisation's team members: the owners a CODEOWNERS team names (<c>codeowners: true</c> only).</summary>
    public static readonly GitHubAccess Members = new("members", ("members", "read"), ("metadata", "read"));

    private GitHubAccess(string name, params (string Permission, string Level)[] permissions)
    {
        Name = name;
        Permissions = new SortedDictionary<string, string>(permissions.ToDictionary(p => p.Permission, p => p.Level), StringComparer.Ordinal);
    }

    public string Name { get; }

    /// <summary>GitHub's permission names (<c>contents</c>, <c>pull_requests</c>, ...) and levels (<c>read</c>, <c>write</c>).</summary>
    public IReadOnlyDictionary<string, string> Permissions { get; }

    public override string ToString() => $"{Name} ({string.Join(", ", Permissions.Select(p => $"{p.Key}:{p.Value}"))})";
}
