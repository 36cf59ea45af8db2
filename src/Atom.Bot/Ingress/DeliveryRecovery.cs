using Atom.Bot.Jobs;

namespace Atom.Bot.Ingress;

/// <summary>Every stored delivery not yet processed is processed again after a restart.</summary>
internal sealed class DeliveryRecovery(DeliveryStore deliveries) : IWorkRecovery
{
    public string What => "unprocessed deliveries";

    public async Task<int> RecoverAsync(WorkScheduler scheduler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        return scheduler.EnqueueAll((await deliveries.ListUnprocessedAsync(cancellationToken)).Select(id => new ProcessDelivery(id)));
    }
}
