using System.Collections.Concurrent;

namespace Atom.Bot.Git;

/// <summary>
/// One lock per mirror: a semaphore for the tasks of this process and an exclusive lock file next to the mirror for
/// other processes on the same data directory. Held while a mirror's refs or worktree list change (fetch, worktree
/// add and remove, combining); never while an agent works. Only <see cref="GitMirrors"/> has one, and hands it out
/// as a <see cref="LockedMirror"/>.
/// </summary>
internal sealed class MirrorLocks
{
    private static readonly TimeSpan FilePollInterval = TimeSpan.FromMilliseconds(50);

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _semaphores = new(StringComparer.Ordinal);

    public async Task<IAsyncDisposable> AcquireAsync(string mirrorPath, CancellationToken cancellationToken)
    {
        var semaphore = _semaphores.GetOrAdd(mirrorPath, _ => new SemaphoreSlim(1, 1));
        await semaphore.WaitAsync(cancellationToken);
        try
        {
            var lockFile = mirrorPath + ".atom-lock";
            Directory.CreateDirectory(Path.GetDirectoryName(lockFile)!);
            while (true)
            {
                try
                {
                    // FileShare.None is an exclusive advisory lock (flock) on Unix and a sharing lock on Windows.
                    var stream = new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                    return new Held(semaphore, stream);
                }
                catch (IOException)
                {
                    await Task.Delay(FilePollInterval, cancellationToken);
                }
            }
        }
        catch
        {
            semaphore.Release();
            throw;
        }
    }

    private sealed class Held(SemaphoreSlim semaphore, FileStream stream) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await stream.DisposeAsync();
            semaphore.Release();
        }
    }
}
