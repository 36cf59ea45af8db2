using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Atom.Bot.Git;

/// <summary>
/// Deleting a checkout of thousands of files takes seconds on a busy machine, and the next step of a task waits for
/// the removal: a directory is moved aside to <c>worktrees/.trash/&lt;guid&gt;</c> (one rename) and its files are
/// deleted off the caller's path.
/// </summary>
internal sealed class WorktreeTrash
{
    private readonly GitOptions _options;
    private readonly ILogger _logger;

    /// <summary>Removed worktrees whose files are still being deleted.</summary>
    private readonly ConcurrentDictionary<Task, byte> _deletions = new();

    public WorktreeTrash(GitOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
    }

    public void MoveToTrash(string directory)
    {
        var trash = Path.Combine(_options.TrashDirectory, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.GetDirectoryName(trash)!);
        Directory.Move(directory, trash);
        DeleteInBackground(trash);
    }

    /// <summary>Completes when the deletions under way now have finished.</summary>
    public Task WhenEmptiedAsync() => Task.WhenAll(_deletions.Keys);

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
}
