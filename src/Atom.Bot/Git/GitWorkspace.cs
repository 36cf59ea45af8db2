using Atom.Bot.Health;
using LibGit2Sharp;
using Microsoft.Extensions.Logging;

namespace Atom.Bot.Git;

/// <summary>
/// Mirrors, worktrees, commits and pushes. One bare mirror per repository under <c>ATOM_DATA_DIR/mirrors</c>, fetched
/// before each assignment; one worktree per assignment under <c>ATOM_DATA_DIR/worktrees</c>. Network and checkout
/// steps use the git command line, in-process reads and merges use LibGit2Sharp (docs/git.md has the measurements).
/// </summary>
/// <remarks>
/// The entry point callers use; the work is in three parts split by lifecycle: <see cref="GitMirrors"/> (mirrors,
/// their lock and reads), <see cref="GitWorktrees"/> (worktrees and their spares) and <see cref="GitBranches"/>
/// (commit, push, combine).
/// </remarks>
public sealed class GitWorkspace : IDisposable, IAsyncDisposable
{
    /// <summary>Remote branches live under this prefix in a mirror, so fetching never touches a worktree's state.</summary>
    public const string TrackingPrefix = GitMirrors.TrackingPrefix;

    /// <summary>Larger files are left out by <see cref="ReadFilesAtAsync"/>: instruction files are small.</summary>
    public const int MaxReadFileBytes = GitMirrors.MaxReadFileBytes;

    private readonly GitMirrors _mirrors;
    private readonly GitWorktrees _worktrees;
    private readonly GitBranches _branches;
    private readonly GitSigningKeys _signingKeys;

    // libgit2 (commits, merges, diffs) reads the user's, the XDG and the system git config like the CLI does; point
    // its search paths where no file can ever be, as GitCli does for the CLI with GIT_CONFIG_NOSYSTEM/GLOBAL.
    static GitWorkspace()
    {
        foreach (var level in new[] { ConfigurationLevel.Global, ConfigurationLevel.Xdg, ConfigurationLevel.System, ConfigurationLevel.ProgramData })
        {
            GlobalSettings.SetConfigSearchPaths(level, "/dev/null");
        }
    }

    public GitWorkspace(GitOptions options, ILogger<GitWorkspace> logger, PlatformMode? platform = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _mirrors = new GitMirrors(options, logger);
        _worktrees = new GitWorktrees(options, _mirrors, logger, platform);
        _branches = new GitBranches(options, _mirrors, logger);
        _signingKeys = new GitSigningKeys(options, logger);
    }

    /// <summary><c>ATOM_DATA_DIR/mirrors/&lt;owner&gt;/&lt;repo&gt;.git</c>; owner and name lowercased, as GitHub treats them.</summary>
    public string MirrorPath(RepositoryRef repo) => _mirrors.MirrorPath(repo);

    /// <summary><c>ATOM_DATA_DIR/worktrees/&lt;owner&gt;/&lt;repo&gt;/&lt;branch&gt;</c>, the branch's '/' written as '+'.</summary>
    public string WorktreePath(RepositoryRef repo, string branch) => _worktrees.WorktreePath(repo, branch);

    /// <summary>
    /// Fetches the mirror (creating it the first time) and makes a fresh worktree for <paramref name="workBranch"/>:
    /// from the remote's <paramref name="workBranch"/> if it exists (a revision), else from the head of <paramref name="baseBranch"/>.
    /// A stale worktree at the same path is replaced. With <paramref name="commit"/>, the worktree starts at that commit of
    /// the mirror as it is, without fetching: the evaluation tests exactly the head it has just diffed.
    /// </summary>
    /// <exception cref="GitCommandException">The remote cannot be fetched, or has no <paramref name="baseBranch"/>.</exception>
    public Task<Checkout> PrepareAsync(RepositoryRef repo, string baseBranch, string workBranch, string? token, CancellationToken cancellationToken, string? commit = null) =>
        _worktrees.PrepareAsync(repo, baseBranch, workBranch, token, cancellationToken, commit);

    /// <summary>Fetches every branch of the remote into the mirror (creating it the first time), e.g. before diffing a push someone else made.</summary>
    /// <exception cref="GitCommandException">The remote cannot be fetched.</exception>
    public Task FetchAsync(RepositoryRef repo, string? token, CancellationToken cancellationToken) =>
        _mirrors.FetchAsync(repo, token, cancellationToken);

    /// <summary>
    /// Stages every change in the worktree (additions, modifications, deletions; ignored files stay out) and commits it
    /// as the configured bot identity with <paramref name="trailers"/> (e.g. <c>Atom-Task: 12</c>) appended.
    /// Returns null, and commits nothing, when nothing changed. With <paramref name="onlyPaths"/>, only those paths are
    /// staged: a worker commits what its tools wrote, not what a test run left behind.
    /// With <paramref name="signWith"/>, the commit carries that key's SSH signature (git's <c>gpg.format=ssh</c>).
    /// </summary>
    /// <exception cref="GitCommandException">Signing failed (ssh-keygen missing or refusing the key).</exception>
    public Task<CommitOutcome?> CommitAllAsync(
        Checkout checkout,
        string message,
        IReadOnlyList<KeyValuePair<string, string>> trailers,
        CancellationToken cancellationToken,
        IReadOnlyCollection<string>? onlyPaths = null,
        SshSigningKey? signWith = null) =>
        _branches.CommitAllAsync(checkout, message, trailers, cancellationToken, onlyPaths, signWith);

    /// <summary>
    /// The SSH key commits are signed with, <c>ATOM_DATA_DIR/keys/git-signing</c>, made (ed25519, mode 0600) the first
    /// time it is asked for.
    /// </summary>
    /// <exception cref="GitCommandException"><c>ssh-keygen</c> is missing or failed, or the key file is readable by others.</exception>
    public Task<SshSigningKey> SigningKeyAsync(CancellationToken cancellationToken) => _signingKeys.EnsureAsync(cancellationToken);

    /// <summary>
    /// A commit of the mirror (a worktree's commit, a combination's merge) as objects: tree, parents, message, every
    /// path changed against the first parent with its mode and content, to rebuild it elsewhere.
    /// </summary>
    public Task<CommitContents> ReadCommitAsync(RepositoryRef repo, string sha, CancellationToken cancellationToken) =>
        _branches.ReadCommitAsync(repo, sha, cancellationToken);

    /// <summary>
    /// Pushes the worktree's HEAD to its branch over HTTPS as <c>x-access-token:&lt;token&gt;</c>. Never forces: a
    /// remote that moved ahead, a refusing hook or a refused token is a failure value with the remote's reason.
    /// </summary>
    public Task<PushOutcome> PushAsync(Checkout checkout, string? token, CancellationToken cancellationToken) =>
        _branches.PushAsync(checkout, token, cancellationToken);

    /// <summary>Deletes the worktree's directory and its registration in the mirror.</summary>
    public Task RemoveAsync(Checkout checkout, CancellationToken cancellationToken) =>
        _worktrees.RemoveAsync(checkout, cancellationToken);

    /// <summary>
    /// Every file path of <paramref name="branch"/> as the mirror last fetched it, in ordinal order, at most
    /// <paramref name="limit"/> (for the planner's and the worker's view of the repository). A missing branch gives none.
    /// </summary>
    public Task<IReadOnlyList<string>> ListFilesAtAsync(RepositoryRef repo, string branch, int limit, CancellationToken cancellationToken) =>
        _mirrors.ListFilesAtAsync(repo, branch, limit, cancellationToken);

    /// <summary>The SHA of <paramref name="branch"/> as the mirror last fetched it, or null when the remote has no such branch.</summary>
    public Task<string?> HeadOfAsync(RepositoryRef repo, string branch, CancellationToken cancellationToken) =>
        _mirrors.HeadOfAsync(repo, branch, cancellationToken);

    /// <summary>
    /// The remote branches the mirror last fetched that are <paramref name="branch"/> itself or below it
    /// (<c>branch/…</c>, where a task's assignment branches live), with their heads.
    /// </summary>
    public Task<IReadOnlyList<(string Branch, string Sha)>> BranchesAtOrUnderAsync(RepositoryRef repo, string branch, CancellationToken cancellationToken) =>
        _mirrors.BranchesAtOrUnderAsync(repo, branch, cancellationToken);

    /// <summary>
    /// The files directly in <paramref name="directory"/> whose names end in <paramref name="extension"/>, as the mirror
    /// last fetched <paramref name="branch"/> (e.g. <c>.atom/skills/*.md</c> on the default branch), keyed by
    /// repository path in ordinal order. Never read from a worktree. Symlinks and files over
    /// <see cref="MaxReadFileBytes"/> are left out. A missing branch or directory gives an empty result.
    /// </summary>
    public Task<IReadOnlyDictionary<string, string>> ReadFilesAtAsync(
        RepositoryRef repo,
        string branch,
        string directory,
        string extension,
        CancellationToken cancellationToken) =>
        _mirrors.ReadFilesAtAsync(repo, branch, directory, extension, cancellationToken);

    /// <summary>
    /// What <paramref name="headRef"/> changes, as a pull request shows it: from the merge base with
    /// <paramref name="baseRef"/>, with renames detected. A ref is a remote branch name of the mirror or a commit SHA.
    /// </summary>
    /// <exception cref="GitCommandException">A ref is unknown to the mirror.</exception>
    public Task<IReadOnlyList<ChangedFile>> DiffAsync(RepositoryRef repo, string baseRef, string headRef, CancellationToken cancellationToken) =>
        _mirrors.DiffAsync(repo, baseRef, headRef, cancellationToken);

    /// <summary>The unified diff of <see cref="DiffAsync"/>, cut at a line boundary to at most <paramref name="maxBytes"/> UTF-8 bytes (with a note saying so).</summary>
    public Task<string> PatchAsync(RepositoryRef repo, string baseRef, string headRef, int maxBytes, CancellationToken cancellationToken) =>
        _mirrors.PatchAsync(repo, baseRef, headRef, maxBytes, cancellationToken);

    /// <summary>
    /// The unified diff from one commit's tree straight to another's (no merge base: what changed between two heads of
    /// one branch, a force-push included), cut like <see cref="PatchAsync"/>.
    /// </summary>
    /// <exception cref="GitCommandException">A commit is unknown to the mirror.</exception>
    public Task<string> InterdiffAsync(RepositoryRef repo, string fromSha, string toSha, int maxBytes, CancellationToken cancellationToken) =>
        _mirrors.InterdiffAsync(repo, fromSha, toSha, maxBytes, cancellationToken);

    /// <summary>
    /// Builds <paramref name="targetBranch"/> from the head of <paramref name="baseBranch"/> by merging the remote
    /// <paramref name="branches"/> in order (fast-forward when possible), then pushes it and deletes those branches at
    /// the remote in the same push (git cannot hold <c>a/b</c> next to <c>a/b/1</c>). A conflict pushes nothing and names the files.
    /// </summary>
    /// <exception cref="GitCommandException">The remote cannot be fetched.</exception>
    /// <remarks>
    /// With <paramref name="signWith"/>, the merge commits carry that key's SSH signature. With <paramref name="push"/>
    /// false, nothing is pushed: the outcome has the merged SHA and the merge commits, which the caller makes elsewhere.
    /// </remarks>
    public Task<CombineOutcome> CombineAsync(
        RepositoryRef repo,
        string baseBranch,
        IReadOnlyList<string> branches,
        string targetBranch,
        string? token,
        CancellationToken cancellationToken,
        SshSigningKey? signWith = null,
        bool push = true) =>
        _branches.CombineAsync(repo, baseBranch, branches, targetBranch, token, cancellationToken, signWith, push);

    /// <summary>Spares ready for <paramref name="repo"/> in this process (for tests).</summary>
    internal int SpareCount(RepositoryRef repo) => _worktrees.SpareCount(repo);

    /// <summary>Spare worktrees ready in this process, all repositories together (a metric).</summary>
    public int SpareTotal => _worktrees.SpareTotal;

    /// <summary>Waits until the spares being made for <paramref name="repo"/> are ready (or could not be made).</summary>
    internal Task WaitForSparesAsync(RepositoryRef repo) => _worktrees.WaitForSparesAsync(repo);

    /// <summary>Stops making spare worktrees, deletes this process's spares and waits for the deletions still under way.</summary>
    public async ValueTask DisposeAsync()
    {
        await _worktrees.DisposeAsync();
        _signingKeys.Dispose();
    }

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose() => Task.Run(() => DisposeAsync().AsTask()).GetAwaiter().GetResult();
}
