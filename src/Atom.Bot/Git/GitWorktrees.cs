using System.Text.RegularExpressions;
using Atom.Bot.Health;
using Microsoft.Extensions.Logging;

namespace Atom.Bot.Git;

/// <summary>
/// The worktrees under <c>ATOM_DATA_DIR/worktrees</c>, one per assignment, with the pool of spares they are made
/// from when one is ready. Creating and removing one changes its mirror's worktree list, so both run under the
/// mirror's lock, taken from <see cref="GitMirrors"/>.
/// </summary>
internal sealed partial class GitWorktrees : IAsyncDisposable
{
    private readonly GitOptions _options;
    private readonly GitMirrors _mirrors;
    private readonly WorktreeTrash _trash;
    private readonly SpareWorktrees _spares;
    private readonly ILogger _logger;
    private int _disposed;

    public GitWorktrees(GitOptions options, GitMirrors mirrors, ILogger logger, PlatformMode? platform = null)
    {
        _options = options;
        _mirrors = mirrors;
        _logger = logger;
        _trash = new WorktreeTrash(options, logger);
        _spares = new SpareWorktrees(options, mirrors, _trash, logger, platform);
    }

    public string WorktreePath(RepositoryRef repo, string branch)
    {
        ArgumentNullException.ThrowIfNull(repo);
        ArgumentException.ThrowIfNullOrEmpty(branch);
        var directory = UnsafeDirectoryCharacters().Replace(branch.Replace('/', '+'), "_");
        return Path.Combine(_options.WorktreesDirectory, GitMirrors.SafeName(repo.Owner), GitMirrors.SafeName(repo.Name), directory);
    }

    public async Task<Checkout> PrepareAsync(RepositoryRef repo, string baseBranch, string workBranch, string? token, CancellationToken cancellationToken, string? commit = null)
    {
        ArgumentNullException.ThrowIfNull(repo);
        BranchNames.RequireValid(baseBranch);
        BranchNames.RequireValid(workBranch);
        var path = WorktreePath(repo, workBranch);
        Checkout checkout;
        await _spares.AwaitInMakingAsync(repo, cancellationToken);
        await using (var mirror = await _mirrors.LockAsync(repo, cancellationToken))
        {
            if (commit is null)
            {
                await mirror.FetchAsync(token, cancellationToken);
            }

            var baseSha = mirror.ResolveTracking(baseBranch)
                ?? throw new GitCommandException($"{repo.Owner}/{repo.Name} has no branch '{baseBranch}'");
            var existing = mirror.ResolveTracking(workBranch);
            var start = commit ?? existing ?? baseSha;

            await RemoveAsync(mirror, path, cancellationToken);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (!await _spares.TakeAsync(mirror, path, start, cancellationToken))
            {
                await mirror.RunOrThrowAsync(["worktree", "add", "--detach", "--quiet", path, start], cancellationToken);
            }

            Log.WorktreeReady(_logger, workBranch, path, start, existing is not null, baseBranch);
            checkout = new Checkout(path, repo, baseBranch, baseSha, workBranch, start) { ContinuesExistingBranch = existing is not null };
        }

        _spares.Replenish(repo, baseBranch);
        return checkout;
    }

    public async Task RemoveAsync(Checkout checkout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkout);
        await using var mirror = await _mirrors.LockAsync(checkout.Repository, cancellationToken);
        await RemoveAsync(mirror, checkout.Path, cancellationToken);
    }

    /// <inheritdoc cref="SpareWorktrees.Count"/>
    public int SpareCount(RepositoryRef repo) => _spares.Count(repo);

    /// <inheritdoc cref="SpareWorktrees.Total"/>
    public int SpareTotal => _spares.Total;

    /// <inheritdoc cref="SpareWorktrees.WaitForAsync"/>
    public Task WaitForSparesAsync(RepositoryRef repo) => _spares.WaitForAsync(repo);

    /// <summary>Stops making spares, deletes this process's spares and waits for the deletions still under way.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _spares.DisposeAsync();
        }

        await _trash.WhenEmptiedAsync();
    }

    // The directory is moved to the trash (one rename) and its registration pruned; the files are deleted meanwhile.
    private async Task RemoveAsync(LockedMirror mirror, string path, CancellationToken cancellationToken)
    {
        var existed = Directory.Exists(path);
        if (existed)
        {
            _trash.MoveToTrash(path);
        }

        if (Directory.Exists(mirror.Path))
        {
            await mirror.RunOrThrowAsync(["worktree", "prune"], cancellationToken);
        }

        if (existed)
        {
            Log.WorktreeRemoved(_logger, path);
        }
    }

    [GeneratedRegex("[^A-Za-z0-9._+-]")]
    private static partial Regex UnsafeDirectoryCharacters();
}
