using System.Diagnostics;
using LibGit2Sharp;
using Microsoft.Extensions.Logging;

namespace Atom.Bot.Git;

/// <summary>
/// A mirror whose lock is held until this is disposed; made by <see cref="GitMirrors.LockAsync"/> alone. What changes
/// a mirror's refs or worktree list (fetch, worktree add, move and prune, tracking refs) is reached through it or takes
/// it as a parameter, so holding the lock is a matter of types, not of method names.
/// </summary>
internal sealed class LockedMirror : IAsyncDisposable
{
    private const string FetchRefspec = "+refs/heads/*:refs/remotes/origin/*";

    private readonly IAsyncDisposable _held;
    private readonly ILogger _logger;

    internal LockedMirror(RepositoryRef repository, string path, IAsyncDisposable held, ILogger logger)
    {
        Repository = repository;
        Path = path;
        _held = held;
        _logger = logger;
    }

    public RepositoryRef Repository { get; }

    /// <summary>The bare mirror's directory.</summary>
    public string Path { get; }

    /// <summary>Fetches every branch of the remote into the mirror, creating it the first time.</summary>
    public async Task FetchAsync(string? token, CancellationToken cancellationToken)
    {
        var repo = Repository;
        if (!File.Exists(System.IO.Path.Combine(Path, "HEAD")))
        {
            Directory.CreateDirectory(Path);
            await RunOrThrowAsync(["init", "--bare", "--quiet", Path], cancellationToken);
            Log.MirrorCreated(_logger, repo.Owner, repo.Name, Path);
        }

        var started = Stopwatch.GetTimestamp();
        var fetch = await GitCli.RunAsync(
            Path, ["fetch", "--prune", "--no-tags", "--no-write-fetch-head", repo.CloneUrl, FetchRefspec], token, cancellationToken);
        if (!fetch.Succeeded)
        {
            Log.CommandFailed(_logger, "fetch", fetch.ExitCode, fetch.StandardError);
            throw new GitCommandException($"fetching {repo.Owner}/{repo.Name} failed: {fetch.StandardError.Trim()}");
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        Log.Fetched(_logger, repo.Owner, repo.Name, (long)elapsed.TotalMilliseconds);
    }

    /// <summary>The SHA of the remote's <paramref name="branch"/> as last fetched, or null.</summary>
    public string? ResolveTracking(string branch)
    {
        using var repository = new Repository(Path);
        return repository.Refs[GitMirrors.TrackingPrefix + branch]?.ResolveToDirectReference()?.TargetIdentifier;
    }

    // Deletions first: a/b/1 must be gone before a/b can be written.
    public async Task UpdateTrackingAsync(IReadOnlyList<string> deleted, string branch, string sha, CancellationToken cancellationToken)
    {
        foreach (var gone in deleted)
        {
            await RunOrLogAsync(["update-ref", "-d", GitMirrors.TrackingPrefix + gone], cancellationToken);
        }

        await RunOrLogAsync(["update-ref", GitMirrors.TrackingPrefix + branch, sha], cancellationToken);
    }

    /// <summary>Runs git in the mirror; a failure is logged and thrown as a <see cref="GitCommandException"/>.</summary>
    public async Task<string> RunOrThrowAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = await GitCli.RunAsync(Path, arguments, null, cancellationToken);
        if (!result.Succeeded)
        {
            Log.CommandFailed(_logger, arguments[0], result.ExitCode, result.StandardError);
            throw new GitCommandException($"git {arguments[0]} failed: {result.StandardError.Trim()}");
        }

        return result.StandardOutput;
    }

    public ValueTask DisposeAsync() => _held.DisposeAsync();

    private async Task RunOrLogAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        // The tracking refs are a cache of the remote: if one cannot be written, the next fetch corrects it.
        var result = await GitCli.RunAsync(Path, arguments, null, cancellationToken);
        if (!result.Succeeded)
        {
            Log.CommandFailed(_logger, arguments[0], result.ExitCode, result.StandardError);
        }
    }
}
