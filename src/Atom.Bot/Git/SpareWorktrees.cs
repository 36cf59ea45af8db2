using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

using Atom.Bot.Health;

namespace Atom.Bot.Git;

/// <summary>
/// Spare worktrees: checking out a large repository is most of an assignment's and an evaluation's git time (a
/// 5,000-file checkout took 0.5-1.7 s here, twice per task). So each mirror keeps a few worktrees checked out ahead of
/// need, at the head of its default branch, made by git alone: nothing else ever runs in a spare. Taking one moves it
/// to the assignment's path and checks out the wanted commit, which rewrites only the files that differ, so the result
/// is exactly a fresh worktree of that commit. A worktree that was used (by a model, a test run) is never handed out
/// again; it is deleted as before. docs/git.md has the rules and the measurements.
/// </summary>
internal sealed class SpareWorktrees : IAsyncDisposable
{
    private readonly GitOptions _options;
    private readonly PlatformMode? _platform;
    private readonly GitMirrors _mirrors;
    private readonly WorktreeTrash _trash;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, SparePool> _spares = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _instanceGate = new();
    private readonly string _instance = Guid.NewGuid().ToString("N")[..16];
    private FileStream? _instanceLock;

    public SpareWorktrees(GitOptions options, GitMirrors mirrors, WorktreeTrash trash, ILogger logger, PlatformMode? platform = null)
    {
        _platform = platform;
        _options = options;
        _mirrors = mirrors;
        _trash = trash;
        _logger = logger;
    }

    private string SparesRoot => _options.SparesDirectory;

    /// <summary>Spares ready for <paramref name="repo"/> in this process (for tests).</summary>
    public int Count(RepositoryRef repo) => _spares.TryGetValue(_mirrors.MirrorPath(repo), out var pool) ? pool.Ready.Count : 0;

    /// <summary>Spares ready in this process, all repositories together (a metric).</summary>
    public int Total => _spares.Values.Sum(pool => pool.Ready.Count);

    /// <summary>Waits until the spares being made for <paramref name="repo"/> are ready (or could not be made).</summary>
    public async Task WaitForAsync(RepositoryRef repo)
    {
        if (_spares.TryGetValue(_mirrors.MirrorPath(repo), out var pool))
        {
            await pool.Filling;
        }
    }

    // Before the mirror's lock: when no spare is ready but one is being written, waiting for it is quicker than a new
    // checkout, which would start from nothing and compete with it for the disk and the cores.
    public async Task AwaitInMakingAsync(RepositoryRef repo, CancellationToken cancellationToken)
    {
        if (_spares.TryGetValue(_mirrors.MirrorPath(repo), out var pool) && pool.Ready.IsEmpty && !pool.InMaking.IsCompleted)
        {
            await pool.InMaking.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    // Moves a ready spare to path and checks out start there. False when there is none or it cannot be used (the
    // caller then makes a worktree the ordinary way); a spare that failed is deleted, never reused.
    public async Task<bool> TakeAsync(LockedMirror mirror, string path, string start, CancellationToken cancellationToken)
    {
        if (!_spares.TryGetValue(mirror.Path, out var pool))
        {
            return false;
        }

        while (pool.Ready.TryDequeue(out var spare))
        {
            if (!Directory.Exists(spare))
            {
                continue;
            }

            var moved = await GitCli.RunAsync(mirror.Path, ["worktree", "move", spare, path], null, cancellationToken);
            if (!moved.Succeeded)
            {
                Log.SpareDiscarded(_logger, spare, moved.StandardError.Trim());
                Discard(spare);
                continue;
            }

            var checkout = await GitCli.RunAsync(path, ["checkout", "--detach", "--quiet", "--no-recurse-submodules", start], null, cancellationToken);
            if (!checkout.Succeeded)
            {
                Log.SpareDiscarded(_logger, path, checkout.StandardError.Trim());
                Discard(path);
                await mirror.RunOrThrowAsync(["worktree", "prune"], cancellationToken);
                return false;
            }

            if (!await EnsurePristineAsync(path, start, cancellationToken))
            {
                Discard(path);
                await mirror.RunOrThrowAsync(["worktree", "prune"], cancellationToken);
                return false;
            }

            Log.SpareTaken(_logger, spare, path, start);
            return true;
        }

        return false;
    }

    // A spare sat on disk in a directory other processes of the same user can write to, and `git checkout` keeps
    // whatever it does not have to touch: an untracked or ignored file (also inside an ignored directory), a local
    // change to a file that is the same in both commits. So before a spare is handed out, its HEAD must be the start
    // commit and `git status --ignored` must show nothing; otherwise it is cleaned (`git clean -ffdx`, `git reset
    // --hard`) and checked once more. False when it is still not a fresh checkout of start: the caller discards it.
    private async Task<bool> EnsurePristineAsync(string path, string start, CancellationToken cancellationToken)
    {
        var dirt = await DirtAsync(path, start, cancellationToken);
        if (dirt is null)
        {
            return true;
        }

        Log.SpareCleaned(_logger, path, dirt);
        var clean = await GitCli.RunAsync(path, ["clean", "-ffdxq"], null, cancellationToken);
        var reset = await GitCli.RunAsync(path, ["reset", "--hard", "--quiet", "--no-recurse-submodules", start], null, cancellationToken);
        dirt = clean.Succeeded && reset.Succeeded
            ? await DirtAsync(path, start, cancellationToken)
            : (clean.StandardError + reset.StandardError).Trim();
        if (dirt is null)
        {
            return true;
        }

        Log.SpareDiscarded(_logger, path, dirt);
        return false;
    }

    // Null when the worktree is exactly a checkout of start; otherwise what differs, for the log.
    private static async Task<string?> DirtAsync(string path, string start, CancellationToken cancellationToken)
    {
        var status = await GitCli.RunAsync(
            path, ["status", "--porcelain=v2", "--branch", "--ignored", "--untracked-files=all", "--no-renames"], null, cancellationToken);
        if (!status.Succeeded)
        {
            return "git status failed: " + status.StandardError.Trim();
        }

        var lines = status.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var head = lines.FirstOrDefault(l => l.StartsWith("# branch.oid ", StringComparison.Ordinal))?["# branch.oid ".Length..];
        var entries = lines.Where(l => !l.StartsWith('#')).ToList();
        if (!string.Equals(head, start, StringComparison.Ordinal))
        {
            return $"HEAD is {head ?? "unknown"}, not {start}";
        }

        return entries.Count == 0 ? null : $"{entries.Count} untracked, ignored or modified path(s), e.g. {entries[0]}";
    }

    // Starts making spares for the mirror in the background, unless that is already under way or the pool is full.
    public void Replenish(RepositoryRef repo, string baseBranch)
    {
        var pool = _spares.GetOrAdd(_mirrors.MirrorPath(repo), _ => new SparePool());
        lock (pool.Gate)
        {
            pool.BaseBranch = baseBranch;
            // Background work pauses while the platform is critical: a preparation then checks out on demand.
            if (!pool.Filling.IsCompleted || pool.Ready.Count >= _options.WorktreeSpares || _stopping.IsCancellationRequested
                || _platform?.Level == PlatformLevel.Critical)
            {
                return;
            }

            // The first spare counts as in the making from now on, so a preparation right after this one waits for it.
            var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            pool.InMaking = first.Task;
            var fill = Task.Run(() => FillAsync(repo, pool, first, _stopping.Token));
            pool.Filling = fill;
        }
    }

    private async Task FillAsync(RepositoryRef repo, SparePool pool, TaskCompletionSource first, CancellationToken cancellationToken)
    {
        try
        {
            var directory = ClaimInstanceDirectory();
            while (pool.Ready.Count < _options.WorktreeSpares && !cancellationToken.IsCancellationRequested)
            {
                var spare = Path.Combine(directory, Guid.NewGuid().ToString("N"));
                var made = first.Task.IsCompleted ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : first;
                pool.InMaking = made.Task;
                try
                {
                    if (!await MakeSpareAsync(repo, pool, spare, cancellationToken))
                    {
                        return;
                    }
                }
                finally
                {
                    made.TrySetResult();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is GitCommandException or IOException or UnauthorizedAccessException or LibGit2Sharp.LibGit2SharpException)
        {
            // Spares are an optimisation: without one, the next worktree is made the ordinary way.
            Log.SparesFailed(_logger, repo.Owner, repo.Name, ex.Message);
        }
        finally
        {
            first.TrySetResult();
        }
    }

    private async Task<bool> MakeSpareAsync(RepositoryRef repo, SparePool pool, string spare, CancellationToken cancellationToken)
    {
        string? start;
        await using (var locked = await _mirrors.LockAsync(repo, cancellationToken))
        {
            start = locked.ResolveTracking(pool.BaseBranch);
            if (start is null)
            {
                return false;
            }

            // Registered without files under the lock (milliseconds); the files are written outside it, so a
            // spare in the making never holds up a fetch or another task's worktree.
            await locked.RunOrThrowAsync(["worktree", "add", "--no-checkout", "--detach", "--quiet", spare, start], cancellationToken);
        }

        var populate = await GitCli.RunAsync(spare, ["reset", "--hard", "--quiet", "--no-recurse-submodules"], null, cancellationToken);
        if (!populate.Succeeded)
        {
            Log.SpareDiscarded(_logger, spare, populate.StandardError.Trim());
            Discard(spare);
            return false;
        }

        pool.Ready.Enqueue(spare);
        Log.SpareReady(_logger, repo.Owner, repo.Name, spare, start);
        return true;
    }

    // This process's spares live in .spares/<instance>/, guarded by an exclusive lock on .spares/<instance>.lock for as
    // long as the process runs. The first time, spares of processes that are gone (their lock file can be taken) are
    // deleted: a crash can leave spares half made, and no one would ever use them.
    private string ClaimInstanceDirectory()
    {
        var directory = Path.Combine(SparesRoot, _instance);
        lock (_instanceGate)
        {
            if (_instanceLock is not null)
            {
                return directory;
            }

            Directory.CreateDirectory(SparesRoot);
            _instanceLock = new FileStream(directory + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            foreach (var other in Directory.EnumerateDirectories(SparesRoot))
            {
                var name = Path.GetFileName(other);
                if (name == _instance || !IsAbandoned(other + ".lock"))
                {
                    continue;
                }

                Discard(other);
            }

            Directory.CreateDirectory(directory);
            return directory;
        }
    }

    private static bool IsAbandoned(string lockFile)
    {
        if (!File.Exists(lockFile))
        {
            return true;
        }

        try
        {
            using (new FileStream(lockFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            {
            }

            File.Delete(lockFile);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    // A spare that will not be used: moved aside and deleted like a removed worktree; `git worktree prune` drops its
    // registration the next time a worktree is removed.
    private void Discard(string directory)
    {
        if (Directory.Exists(directory))
        {
            _trash.MoveToTrash(directory);
        }
    }

    // Stops making spares and deletes this process's own: they are cheap to make again and would only fill the disk.
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_spares.Values.Select(p => p.Filling)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var pool in _spares.Values)
        {
            while (pool.Ready.TryDequeue(out var spare))
            {
                Discard(spare);
            }
        }

        lock (_instanceGate)
        {
            if (_instanceLock is not null)
            {
                Discard(Path.Combine(SparesRoot, _instance));
                _instanceLock.Dispose();
                File.Delete(Path.Combine(SparesRoot, _instance + ".lock"));
                _instanceLock = null;
            }
        }
    }

    private sealed class SparePool
    {
        public ConcurrentQueue<string> Ready { get; } = new();

        public Task Filling { get; set; } = Task.CompletedTask;

        /// <summary>Completes when the spare being made now is ready or has failed.</summary>
        public Task InMaking { get; set; } = Task.CompletedTask;

        public string BaseBranch { get; set; } = "";

        public Lock Gate { get; } = new();
    }
}
