using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Atom.Bot.Configuration;
using LibGit2Sharp;
using Microsoft.Extensions.Logging;

namespace Atom.Bot.Git;

/// <summary>
/// Mirrors, worktrees, commits and pushes. One bare mirror per repository under <c>ATOM_DATA_DIR/mirrors</c>, fetched
/// before each assignment; one worktree per assignment under <c>ATOM_DATA_DIR/worktrees</c>. Network and checkout
/// steps use the git command line, in-process reads and merges use LibGit2Sharp (docs/git.md has the measurements).
/// </summary>
public sealed partial class GitWorkspace : IDisposable, IAsyncDisposable
{
    /// <summary>Remote branches live under this prefix in a mirror, so fetching never touches a worktree's state.</summary>
    public const string TrackingPrefix = "refs/remotes/origin/";

    /// <summary>Larger files are left out by <see cref="ReadFilesAtAsync"/>: instruction files are small.</summary>
    public const int MaxReadFileBytes = 256 * 1024;

    private const string FetchRefspec = "+refs/heads/*:refs/remotes/origin/*";
    private const int MaxReasonLength = 4000;

    private readonly AtomOptions _options;
    private readonly ILogger<GitWorkspace> _logger;
    private readonly MirrorLocks _locks = new();

    /// <summary>Removed worktrees whose files are still being deleted, off the caller's path.</summary>
    private readonly ConcurrentDictionary<Task, byte> _deletions = new();

    private int _disposed;

    // libgit2 (commits, merges, diffs) reads the user's, the XDG and the system git config like the CLI does; point
    // its search paths where no file can ever be, as GitCli does for the CLI with GIT_CONFIG_NOSYSTEM/GLOBAL.
    static GitWorkspace()
    {
        foreach (var level in new[] { ConfigurationLevel.Global, ConfigurationLevel.Xdg, ConfigurationLevel.System, ConfigurationLevel.ProgramData })
        {
            GlobalSettings.SetConfigSearchPaths(level, "/dev/null");
        }
    }

    public GitWorkspace(AtomOptions options, ILogger<GitWorkspace> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _logger = logger;
    }

    /// <summary><c>ATOM_DATA_DIR/mirrors/&lt;owner&gt;/&lt;repo&gt;.git</c>; owner and name lowercased, as GitHub treats them.</summary>
    public string MirrorPath(RepositoryRef repo)
    {
        ArgumentNullException.ThrowIfNull(repo);
        return Path.Combine(_options.DataDir, "mirrors", SafeName(repo.Owner), SafeName(repo.Name) + ".git");
    }

    /// <summary><c>ATOM_DATA_DIR/worktrees/&lt;owner&gt;/&lt;repo&gt;/&lt;branch&gt;</c>, the branch's '/' written as '+'.</summary>
    public string WorktreePath(RepositoryRef repo, string branch)
    {
        ArgumentNullException.ThrowIfNull(repo);
        ArgumentException.ThrowIfNullOrEmpty(branch);
        var directory = UnsafeDirectoryCharacters().Replace(branch.Replace('/', '+'), "_");
        return Path.Combine(_options.DataDir, "worktrees", SafeName(repo.Owner), SafeName(repo.Name), directory);
    }

    /// <summary>
    /// Fetches the mirror (creating it the first time) and makes a fresh worktree for <paramref name="workBranch"/>:
    /// from the remote's <paramref name="workBranch"/> if it exists (a revision), else from the head of <paramref name="baseBranch"/>.
    /// A stale worktree at the same path is replaced. With <paramref name="commit"/>, the worktree starts at that commit of
    /// the mirror as it is, without fetching: the evaluation tests exactly the head it has just diffed.
    /// </summary>
    /// <exception cref="GitCommandException">The remote cannot be fetched, or has no <paramref name="baseBranch"/>.</exception>
    public async Task<Checkout> PrepareAsync(RepositoryRef repo, string baseBranch, string workBranch, string? token, CancellationToken cancellationToken, string? commit = null)
    {
        ArgumentNullException.ThrowIfNull(repo);
        RequireBranchName(baseBranch);
        RequireBranchName(workBranch);
        var mirror = MirrorPath(repo);
        var path = WorktreePath(repo, workBranch);
        Checkout checkout;
        await AwaitSpareInMakingAsync(mirror, cancellationToken);
        await using (await AcquireMirrorAsync(mirror, cancellationToken))
        {
            if (commit is null)
            {
                await FetchLockedAsync(repo, mirror, token, cancellationToken);
            }

            var baseSha = ResolveTracking(mirror, baseBranch)
                ?? throw new GitCommandException($"{repo.Owner}/{repo.Name} has no branch '{baseBranch}'");
            var existing = ResolveTracking(mirror, workBranch);
            var start = commit ?? existing ?? baseSha;

            await RemoveWorktreeLockedAsync(mirror, path, cancellationToken);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (!await TakeSpareLockedAsync(mirror, path, start, cancellationToken))
            {
                await RunOrThrowAsync(mirror, ["worktree", "add", "--detach", "--quiet", path, start], null, cancellationToken);
            }

            Log.WorktreeReady(_logger, workBranch, path, start, existing is not null, baseBranch);
            checkout = new Checkout(path, repo, baseBranch, baseSha, workBranch, start) { ContinuesExistingBranch = existing is not null };
        }

        Replenish(repo, mirror, baseBranch);
        return checkout;
    }

    /// <summary>Fetches every branch of the remote into the mirror (creating it the first time), e.g. before diffing a push someone else made.</summary>
    /// <exception cref="GitCommandException">The remote cannot be fetched.</exception>
    public async Task FetchAsync(RepositoryRef repo, string? token, CancellationToken cancellationToken)
    {
        var mirror = MirrorPath(repo);
        await using (await AcquireMirrorAsync(mirror, cancellationToken))
        {
            await FetchLockedAsync(repo, mirror, token, cancellationToken);
        }
    }

    /// <summary>
    /// Stages every change in the worktree (additions, modifications, deletions; ignored files stay out) and commits it
    /// as the configured bot identity with <paramref name="trailers"/> (e.g. <c>Atom-Task: 12</c>) appended.
    /// Returns null, and commits nothing, when nothing changed. With <paramref name="onlyPaths"/>, only those paths are
    /// staged: a worker commits what its tools wrote, not what a test run left behind.
    /// </summary>
    public Task<CommitOutcome?> CommitAllAsync(
        Checkout checkout,
        string message,
        IReadOnlyList<KeyValuePair<string, string>> trailers,
        CancellationToken cancellationToken,
        IReadOnlyCollection<string>? onlyPaths = null)
    {
        ArgumentNullException.ThrowIfNull(checkout);
        ArgumentNullException.ThrowIfNull(trailers);
        var fullMessage = WithTrailers(message, trailers);
        return Task.Run(() =>
        {
            using var repository = new Repository(checkout.Path);
            if (onlyPaths is null)
            {
                Commands.Stage(repository, "*");
            }
            else if (onlyPaths.Count > 0)
            {
                Commands.Stage(repository, onlyPaths);
            }

            var parent = repository.Head.Tip;
            var staged = repository.Diff.Compare<TreeChanges>(parent.Tree, DiffTargets.Index);
            if (staged.Count == 0)
            {
                Log.NothingToCommit(_logger, checkout.Branch);
                return null;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var identity = new Signature(_options.GitAuthorName, _options.GitAuthorEmail, DateTimeOffset.Now);
            var commit = repository.Commit(fullMessage, identity, identity, new CommitOptions { PrettifyMessage = false });
            var stats = repository.Diff.Compare<PatchStats>(parent.Tree, commit.Tree);
            var files = staged.Select(c => c.Path.Replace('\\', '/')).Distinct().Order(StringComparer.Ordinal).ToList();
            Log.Committed(_logger, commit.Sha, checkout.Branch, files.Count, stats.TotalLinesAdded, stats.TotalLinesDeleted);
            return new CommitOutcome(commit.Sha, files, stats.TotalLinesAdded, stats.TotalLinesDeleted);
        }, cancellationToken);
    }

    /// <summary>
    /// Pushes the worktree's HEAD to its branch over HTTPS as <c>x-access-token:&lt;token&gt;</c>. Never forces: a
    /// remote that moved ahead, a refusing hook or a refused token is a failure value with the remote's reason.
    /// </summary>
    public async Task<PushOutcome> PushAsync(Checkout checkout, string? token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkout);
        var repo = checkout.Repository;
        var mirror = MirrorPath(repo);
        if (!IsLinkedToMirror(checkout.Path, mirror))
        {
            const string Unlinked = "the worktree's .git no longer points at its registration in the mirror; nothing was pushed";
            Log.PushFailed(_logger, "", checkout.Branch, repo.Owner, repo.Name, PushFailure.Failed, Unlinked);
            return PushOutcome.Rejected(checkout.Branch, "", PushFailure.Failed, Unlinked);
        }

        string head;
        using (var worktree = new Repository(checkout.Path))
        {
            head = worktree.Head.Tip.Sha;
        }

        await using (await AcquireMirrorAsync(mirror, cancellationToken))
        {
            // The lock is for the config check only: the push below reads the mirror's config, and carries the token.
        }

        // Pushed from the mirror, which holds the worktree's commits, rather than from the worktree: git run in the
        // worktree would follow its .git file, which sits among the files a tool or a test run writes.
        var outcome = await PushRefsAsync(mirror, repo, checkout.Branch, head, [$"{head}:refs/heads/{checkout.Branch}"], token, cancellationToken);
        if (outcome.Succeeded)
        {
            await using (await AcquireMirrorAsync(mirror, cancellationToken))
            {
                await UpdateTrackingLockedAsync(mirror, [], checkout.Branch, head, cancellationToken);
            }
        }

        return outcome;
    }

    /// <summary>Deletes the worktree's directory and its registration in the mirror.</summary>
    public async Task RemoveAsync(Checkout checkout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkout);
        var mirror = MirrorPath(checkout.Repository);
        await using (await AcquireMirrorAsync(mirror, cancellationToken))
        {
            await RemoveWorktreeLockedAsync(mirror, checkout.Path, cancellationToken);
        }
    }

    /// <summary>
    /// Every file path of <paramref name="branch"/> as the mirror last fetched it, in ordinal order, at most
    /// <paramref name="limit"/> (for the planner's and the worker's view of the repository). A missing branch gives none.
    /// </summary>
    public Task<IReadOnlyList<string>> ListFilesAtAsync(RepositoryRef repo, string branch, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var mirror = MirrorPath(repo);
        return Task.Run<IReadOnlyList<string>>(() =>
        {
            using var repository = OpenMirror(mirror, repo);
            var commit = repository.Lookup<Commit>(TrackingPrefix + branch);
            var paths = new List<string>();
            var pending = new Stack<(string Prefix, Tree Tree)>();
            if (commit is not null)
            {
                pending.Push(("", commit.Tree));
            }

            while (pending.Count > 0 && paths.Count < limit)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (prefix, tree) = pending.Pop();
                foreach (var entry in tree)
                {
                    if (entry.TargetType == TreeEntryTargetType.Tree)
                    {
                        pending.Push((prefix + entry.Name + "/", (Tree)entry.Target));
                    }
                    else if (paths.Count < limit)
                    {
                        paths.Add(prefix + entry.Name);
                    }
                }
            }

            paths.Sort(StringComparer.Ordinal);
            return paths;
        }, cancellationToken);
    }

    /// <summary>The SHA of <paramref name="branch"/> as the mirror last fetched it, or null when the remote has no such branch.</summary>
    public Task<string?> HeadOfAsync(RepositoryRef repo, string branch, CancellationToken cancellationToken)
    {
        var mirror = MirrorPath(repo);
        return Task.Run(() =>
        {
            using var repository = OpenMirror(mirror, repo);
            return repository.Lookup<Commit>(TrackingPrefix + branch)?.Sha;
        }, cancellationToken);
    }

    /// <summary>
    /// The remote branches the mirror last fetched that are <paramref name="branch"/> itself or below it
    /// (<c>branch/…</c>, where a task's assignment branches live), with their heads.
    /// </summary>
    public Task<IReadOnlyList<(string Branch, string Sha)>> BranchesAtOrUnderAsync(RepositoryRef repo, string branch, CancellationToken cancellationToken)
    {
        var mirror = MirrorPath(repo);
        return Task.Run<IReadOnlyList<(string Branch, string Sha)>>(() =>
        {
            using var repository = OpenMirror(mirror, repo);
            return [.. repository.Refs.FromGlob(TrackingPrefix + "*")
                .Select(r => (Branch: r.CanonicalName[TrackingPrefix.Length..], Sha: r.ResolveToDirectReference()?.TargetIdentifier ?? ""))
                .Where(r => r.Branch == branch || r.Branch.StartsWith(branch + "/", StringComparison.Ordinal))];
        }, cancellationToken);
    }

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
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(extension);
        var mirror = MirrorPath(repo);
        var suffix = extension.StartsWith('.') ? extension : "." + extension;
        var folder = (directory ?? "").Trim('/');
        return Task.Run<IReadOnlyDictionary<string, string>>(() =>
        {
            var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
            using var repository = OpenMirror(mirror, repo);
            var commit = repository.Lookup<Commit>(TrackingPrefix + branch);
            var tree = folder.Length == 0 ? commit?.Tree : commit?[folder]?.Target as Tree;
            foreach (var entry in tree ?? Enumerable.Empty<TreeEntry>())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (entry.TargetType != TreeEntryTargetType.Blob || !entry.Name.EndsWith(suffix, StringComparison.Ordinal))
                {
                    continue;
                }

                var blob = (Blob)entry.Target;
                if (entry.Mode == Mode.SymbolicLink || blob.Size > MaxReadFileBytes)
                {
                    Log.FileSkipped(_logger, entry.Path, branch, MaxReadFileBytes);
                    continue;
                }

                files[entry.Path.Replace('\\', '/')] = blob.GetContentText();
            }

            return files;
        }, cancellationToken);
    }

    /// <summary>
    /// What <paramref name="headRef"/> changes, as a pull request shows it: from the merge base with
    /// <paramref name="baseRef"/>, with renames detected. A ref is a remote branch name of the mirror or a commit SHA.
    /// </summary>
    /// <exception cref="GitCommandException">A ref is unknown to the mirror.</exception>
    public Task<IReadOnlyList<ChangedFile>> DiffAsync(RepositoryRef repo, string baseRef, string headRef, CancellationToken cancellationToken)
    {
        var mirror = MirrorPath(repo);
        return Task.Run<IReadOnlyList<ChangedFile>>(() =>
        {
            using var repository = OpenMirror(mirror, repo);
            using var patch = Compare(repository, repo, baseRef, headRef);
            return [.. patch.Select(ToChangedFile)];
        }, cancellationToken);
    }

    /// <summary>The unified diff of <see cref="DiffAsync"/>, cut at a line boundary to at most <paramref name="maxBytes"/> UTF-8 bytes (with a note saying so).</summary>
    public Task<string> PatchAsync(RepositoryRef repo, string baseRef, string headRef, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        var mirror = MirrorPath(repo);
        return Task.Run(() =>
        {
            using var repository = OpenMirror(mirror, repo);
            using var patch = Compare(repository, repo, baseRef, headRef);
            return Truncate(patch.Content, maxBytes);
        }, cancellationToken);
    }

    /// <summary>
    /// Builds <paramref name="targetBranch"/> from the head of <paramref name="baseBranch"/> by merging the remote
    /// <paramref name="branches"/> in order (fast-forward when possible), then pushes it and deletes those branches at
    /// the remote in the same push (git cannot hold <c>a/b</c> next to <c>a/b/1</c>). A conflict pushes nothing and names the files.
    /// </summary>
    /// <exception cref="GitCommandException">The remote cannot be fetched.</exception>
    public async Task<CombineOutcome> CombineAsync(
        RepositoryRef repo,
        string baseBranch,
        IReadOnlyList<string> branches,
        string targetBranch,
        string? token,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repo);
        ArgumentNullException.ThrowIfNull(branches);
        RequireBranchName(baseBranch);
        RequireBranchName(targetBranch);
        foreach (var branch in branches)
        {
            RequireBranchName(branch);
        }

        var mirror = MirrorPath(repo);
        await using (await AcquireMirrorAsync(mirror, cancellationToken))
        {
            await FetchLockedAsync(repo, mirror, token, cancellationToken);
            var (sha, refused) = Merge(mirror, repo, baseBranch, branches, targetBranch);
            if (refused is not null)
            {
                Log.CombineFailed(_logger, targetBranch, refused.Failure!.Value, refused.Reason!);
                return refused;
            }

            var deleted = branches.Where(b => b != targetBranch).Distinct().ToList();
            List<string> refspecs = [$"{sha}:refs/heads/{targetBranch}", .. deleted.Select(b => $":refs/heads/{b}")];
            var push = await PushRefsAsync(mirror, repo, targetBranch, sha, refspecs, token, cancellationToken);
            if (!push.Succeeded)
            {
                Log.CombineFailed(_logger, targetBranch, CombineFailure.PushFailed, push.Reason!);
                return CombineOutcome.NotPushed(targetBranch, sha, push);
            }

            await UpdateTrackingLockedAsync(mirror, deleted, targetBranch, sha, cancellationToken);
            Log.Combined(_logger, branches.Count, targetBranch, sha);
            return CombineOutcome.Combined(targetBranch, sha, push);
        }
    }

    private (string Sha, CombineOutcome? Refused) Merge(string mirror, RepositoryRef repo, string baseBranch, IReadOnlyList<string> branches, string targetBranch)
    {
        using var repository = OpenMirror(mirror, repo);
        var current = repository.Lookup<Commit>(TrackingPrefix + baseBranch);
        if (current is null)
        {
            return ("", CombineOutcome.Missing(targetBranch, $"base branch '{baseBranch}' is not at the remote"));
        }

        var identity = new Signature(_options.GitAuthorName, _options.GitAuthorEmail, DateTimeOffset.Now);
        foreach (var branch in branches)
        {
            var tip = repository.Lookup<Commit>(TrackingPrefix + branch);
            if (tip is null)
            {
                return ("", CombineOutcome.Missing(targetBranch, $"branch '{branch}' is not at the remote"));
            }

            var mergeBase = repository.ObjectDatabase.FindMergeBase(current, tip);
            if (mergeBase?.Id == tip.Id)
            {
                continue;
            }

            if (mergeBase?.Id == current.Id)
            {
                current = tip;
                continue;
            }

            var result = repository.ObjectDatabase.MergeCommits(current, tip, new MergeTreeOptions { FailOnConflict = false });
            if (result.Status == MergeTreeStatus.Conflicts)
            {
                var files = result.Conflicts
                    .Select(c => (c.Ours ?? c.Theirs ?? c.Ancestor).Path.Replace('\\', '/'))
                    .Distinct()
                    .Order(StringComparer.Ordinal)
                    .ToList();
                return ("", CombineOutcome.Conflicted(targetBranch, $"merging '{branch}' conflicts in {string.Join(", ", files)}", files));
            }

            current = repository.ObjectDatabase.CreateCommit(
                identity, identity, $"Merge branch '{branch}' into {targetBranch}\n", result.Tree, [current, tip], prettifyMessage: false);
        }

        return (current.Sha, null);
    }

    private async Task<PushOutcome> PushRefsAsync(
        string workingDirectory,
        RepositoryRef repo,
        string branch,
        string sha,
        IReadOnlyList<string> refspecs,
        string? token,
        CancellationToken cancellationToken)
    {
        // No '+' in any refspec and no --force: a push that is not a fast-forward is refused, never forced.
        var result = await GitCli.RunAsync(workingDirectory, ["push", "--porcelain", "--no-verify", repo.CloneUrl, .. refspecs], token, cancellationToken);
        if (result.Succeeded)
        {
            Log.Pushed(_logger, sha, branch, repo.Owner, repo.Name);
            return PushOutcome.Pushed(branch, sha);
        }

        var (failure, reason) = ExplainPushFailure(result);
        reason = GitCli.Scrub(reason, token);
        Log.PushFailed(_logger, sha, branch, repo.Owner, repo.Name, failure, reason);
        return PushOutcome.Rejected(branch, sha, failure, reason);
    }

    /// <summary>Reads <c>git push --porcelain</c>: rejected ref lines on stdout, the remote's and git's messages on stderr.</summary>
    internal static (PushFailure Failure, string Reason) ExplainPushFailure(GitCliResult result)
    {
        var rejected = result.StandardOutput.Split('\n')
            .Where(l => l.StartsWith("!\t", StringComparison.Ordinal))
            .Select(l => l.Split('\t'))
            .Select(f => f.Length >= 3 ? $"{f[1]} {f[2]}" : string.Join(' ', f[1..]))
            .ToList();
        var messages = result.StandardError.Split('\n')
            .Select(l => l.TrimEnd())
            .Where(l => l.StartsWith("remote:", StringComparison.Ordinal) && l.Length > "remote:".Length
                || l.StartsWith("fatal:", StringComparison.Ordinal)
                || l.StartsWith("error:", StringComparison.Ordinal) && !l.Contains("failed to push some refs", StringComparison.Ordinal))
            .ToList();
        var reason = string.Join("\n", rejected.Concat(messages));
        if (reason.Length == 0)
        {
            reason = $"git push exited with {result.ExitCode}";
        }

        if (reason.Length > MaxReasonLength)
        {
            reason = reason[..MaxReasonLength] + " …";
        }

        var stderr = result.StandardError;
        var failure =
            rejected.Any(r => r.Contains("[rejected]", StringComparison.Ordinal)) ? PushFailure.NotFastForward
            : rejected.Any(r => r.Contains("[remote rejected]", StringComparison.Ordinal)) ? PushFailure.RemoteRejected
            : stderr.Contains("Authentication failed", StringComparison.Ordinal)
              || stderr.Contains("could not read Username", StringComparison.Ordinal)
              || stderr.Contains("could not read Password", StringComparison.Ordinal)
              || stderr.Contains("returned error: 401", StringComparison.Ordinal)
              || stderr.Contains("returned error: 403", StringComparison.Ordinal) ? PushFailure.AuthenticationFailed
            : PushFailure.Failed;
        if (failure == PushFailure.AuthenticationFailed)
        {
            reason = "authentication failed: the remote refused the token or its permissions\n" + reason;
        }

        return (failure, reason);
    }

    private async Task FetchLockedAsync(RepositoryRef repo, string mirror, string? token, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(mirror, "HEAD")))
        {
            Directory.CreateDirectory(mirror);
            await RunOrThrowAsync(mirror, ["init", "--bare", "--quiet", mirror], null, cancellationToken);
            Log.MirrorCreated(_logger, repo.Owner, repo.Name, mirror);
        }

        var started = Stopwatch.GetTimestamp();
        var fetch = await GitCli.RunAsync(
            mirror, ["fetch", "--prune", "--no-tags", "--no-write-fetch-head", repo.CloneUrl, FetchRefspec], token, cancellationToken);
        if (!fetch.Succeeded)
        {
            Log.CommandFailed(_logger, "fetch", fetch.ExitCode, fetch.StandardError);
            throw new GitCommandException($"fetching {repo.Owner}/{repo.Name} failed: {fetch.StandardError.Trim()}");
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        Log.Fetched(_logger, repo.Owner, repo.Name, (long)elapsed.TotalMilliseconds);
    }

    /// <summary>Stops making spare worktrees, deletes this process's spares and waits for the deletions still under way.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await StopSparesAsync();
        }

        await Task.WhenAll(_deletions.Keys);
    }

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose() => Task.Run(() => DisposeAsync().AsTask()).GetAwaiter().GetResult();

    // Deleting a checkout of thousands of files takes seconds on a busy machine, and the next step of a task waits for
    // the removal: the directory is moved aside (one rename), the registration pruned, and the files deleted meanwhile.
    private async Task RemoveWorktreeLockedAsync(string mirror, string path, CancellationToken cancellationToken)
    {
        var existed = Directory.Exists(path);
        if (existed)
        {
            MoveToTrash(path);
        }

        if (Directory.Exists(mirror))
        {
            await RunOrThrowAsync(mirror, ["worktree", "prune"], null, cancellationToken);
        }

        if (existed)
        {
            Log.WorktreeRemoved(_logger, path);
        }
    }

    // One rename to worktrees/.trash/<guid>, then the files are deleted off the caller's path.
    private void MoveToTrash(string directory)
    {
        var trash = Path.Combine(_options.DataDir, "worktrees", ".trash", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.GetDirectoryName(trash)!);
        Directory.Move(directory, trash);
        DeleteInBackground(trash);
    }

    private void DeleteInBackground(string directory)
    {
        var deletion = Task.Run(() =>
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Log.TrashNotDeleted(_logger, directory, ex.Message);
            }
        });
        _deletions.TryAdd(deletion, 0);
        deletion.ContinueWith(done => _deletions.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    // Deletions first: a/b/1 must be gone before a/b can be written.
    private async Task UpdateTrackingLockedAsync(string mirror, IReadOnlyList<string> deleted, string branch, string sha, CancellationToken cancellationToken)
    {
        foreach (var gone in deleted)
        {
            await RunOrLogAsync(mirror, ["update-ref", "-d", TrackingPrefix + gone], cancellationToken);
        }

        await RunOrLogAsync(mirror, ["update-ref", TrackingPrefix + branch, sha], cancellationToken);
    }

    private async Task RunOrLogAsync(string workingDirectory, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        // The tracking refs are a cache of the remote: if one cannot be written, the next fetch corrects it.
        var result = await GitCli.RunAsync(workingDirectory, arguments, null, cancellationToken);
        if (!result.Succeeded)
        {
            Log.CommandFailed(_logger, arguments[0], result.ExitCode, result.StandardError);
        }
    }

    private async Task<string> RunOrThrowAsync(string workingDirectory, IReadOnlyList<string> arguments, string? token, CancellationToken cancellationToken)
    {
        var result = await GitCli.RunAsync(workingDirectory, arguments, token, cancellationToken);
        if (!result.Succeeded)
        {
            Log.CommandFailed(_logger, arguments[0], result.ExitCode, result.StandardError);
            throw new GitCommandException($"git {arguments[0]} failed: {result.StandardError.Trim()}");
        }

        return result.StandardOutput;
    }

    private static string? ResolveTracking(string mirror, string branch)
    {
        using var repository = new Repository(mirror);
        return repository.Refs[TrackingPrefix + branch]?.ResolveToDirectReference()?.TargetIdentifier;
    }

    private static Repository OpenMirror(string mirror, RepositoryRef repo) =>
        File.Exists(Path.Combine(mirror, "HEAD"))
            ? new Repository(mirror)
            : throw new GitCommandException($"{repo.Owner}/{repo.Name} has no mirror yet; prepare or fetch it first");

    private static Patch Compare(Repository repository, RepositoryRef repo, string baseRef, string headRef)
    {
        var head = ResolveCommit(repository, repo, headRef);
        var baseCommit = ResolveCommit(repository, repo, baseRef);
        var mergeBase = repository.ObjectDatabase.FindMergeBase(baseCommit, head) ?? baseCommit;
        return repository.Diff.Compare<Patch>(mergeBase.Tree, head.Tree, new CompareOptions { Similarity = SimilarityOptions.Renames });
    }

    private static Commit ResolveCommit(Repository repository, RepositoryRef repo, string reference)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        return repository.Lookup<Commit>(TrackingPrefix + reference)
            ?? repository.Lookup<Commit>(reference)
            ?? throw new GitCommandException($"'{reference}' is neither a branch nor a commit of {repo.Owner}/{repo.Name}");
    }

    private static ChangedFile ToChangedFile(PatchEntryChanges change)
    {
        var status = change.Status switch
        {
            ChangeKind.Added => FileChangeStatus.Added,
            ChangeKind.Deleted => FileChangeStatus.Deleted,
            ChangeKind.Renamed => FileChangeStatus.Renamed,
            ChangeKind.Copied => FileChangeStatus.Copied,
            ChangeKind.TypeChanged => FileChangeStatus.TypeChanged,
            _ => FileChangeStatus.Modified,
        };
        var exists = status != FileChangeStatus.Deleted;
        return new ChangedFile(
            change.Path.Replace('\\', '/'),
            status is FileChangeStatus.Renamed or FileChangeStatus.Copied ? change.OldPath.Replace('\\', '/') : null,
            status,
            change.LinesAdded,
            change.LinesDeleted,
            change.IsBinaryComparison,
            exists && change.Mode == Mode.SymbolicLink,
            exists && change.Mode == Mode.GitLink);
    }

    internal static string Truncate(string patch, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(patch) <= maxBytes)
        {
            return patch;
        }

        var note = $"\n[diff truncated at {maxBytes} bytes]\n";
        var budget = Math.Max(0, maxBytes - Encoding.UTF8.GetByteCount(note));
        var builder = new StringBuilder();
        var used = 0;
        foreach (var line in patch.Split('\n'))
        {
            var size = Encoding.UTF8.GetByteCount(line) + 1;
            if (used + size > budget)
            {
                break;
            }

            builder.Append(line).Append('\n');
            used += size;
        }

        return builder.Append(note.TrimStart('\n')).ToString();
    }

    internal static string WithTrailers(string message, IReadOnlyList<KeyValuePair<string, string>> trailers)
    {
        var body = string.IsNullOrWhiteSpace(message) ? "Atom changes" : message.Trim();
        if (trailers.Count == 0)
        {
            return body + "\n";
        }

        var lines = trailers.Select(t =>
        {
            if (!TrailerKey().IsMatch(t.Key))
            {
                throw new ArgumentException($"'{t.Key}' is not a trailer key (letters, digits and '-')", nameof(trailers));
            }

            // A trailer is one line: a newline in a value would end it and start an unrelated line.
            return $"{t.Key}: {string.Join(' ', (t.Value ?? "").Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim()}";
        });
        return body + "\n\n" + string.Join("\n", lines) + "\n";
    }

    private static void RequireBranchName(string branch)
    {
        ArgumentException.ThrowIfNullOrEmpty(branch);
        if (!Reference.IsValidName("refs/heads/" + branch))
        {
            throw new ArgumentException($"'{branch}' is not a valid branch name", nameof(branch));
        }
    }

    private static string SafeName(string name)
    {
        if (string.IsNullOrEmpty(name) || name is "." or ".." || !RepositoryNameCharacters().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a GitHub owner or repository name", nameof(name));
        }

        return name.ToLowerInvariant();
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex RepositoryNameCharacters();

    [GeneratedRegex("[^A-Za-z0-9._+-]")]
    private static partial Regex UnsafeDirectoryCharacters();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9-]*$")]
    private static partial Regex TrailerKey();
}
