namespace Atom.Bot.Jobs;

/// <summary>
/// One area's part of recovery on start: in-memory jobs do not survive a restart, the store does, so each area
/// enqueues again what its store says is unfinished. Jobs are idempotent, so a duplicate costs nothing.
/// </summary>
public interface IWorkRecovery
{
    /// <summary>What is recovered, for the log line ("unprocessed deliveries").</summary>
    string What { get; }

    /// <summary>Enqueues the unfinished work again and says how many items it enqueued.</summary>
    Task<int> RecoverAsync(WorkScheduler scheduler, CancellationToken cancellationToken);
}
