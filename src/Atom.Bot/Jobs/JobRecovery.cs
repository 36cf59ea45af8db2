using Atom.Bot.Ingress;
using Atom.Bot.Supervisor;
using Atom.Bot.Tasks;

namespace Atom.Bot.Jobs;

/// <summary>
/// In-memory jobs do not survive a restart, the store does: on start, every delivery not yet processed and every
/// task not in a final state is enqueued again. Jobs are idempotent, so a duplicate costs nothing.
/// </summary>
internal sealed partial class JobRecovery(TaskStore tasks, DeliveryStore deliveries, WorkScheduler queue, ILogger<JobRecovery> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var pending = await deliveries.ListUnprocessedAsync(cancellationToken);
        foreach (var deliveryId in pending)
        {
            queue.Enqueue(new ProcessDelivery(deliveryId));
        }

        var unfinished = await tasks.ListUnfinishedAsync(cancellationToken);
        foreach (var task in unfinished)
        {
            queue.Enqueue(new AdvanceTask(task.Id));
        }

        if (pending.Count + unfinished.Count > 0)
        {
            LogRecovered(logger, pending.Count, unfinished.Count);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 900, Level = LogLevel.Information, Message = "Re-enqueued {Deliveries} unprocessed deliveries and {Tasks} unfinished tasks")]
    private static partial void LogRecovered(ILogger logger, int deliveries, int tasks);
}
