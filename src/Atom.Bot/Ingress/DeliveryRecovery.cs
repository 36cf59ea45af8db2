using Atom.Bot.Jobs;

namespace Atom.Bot.Ingress;

/// <summary>Every stored delivery not yet processed is processed again after a restart.</summary>
internal sealed class DeliveryRecovery(DeliveryStore deliveries) : IWorkRecovery
{
    public string What => "unprocessed deliveries";

    public async Task<int> RecoverAsync(WorkScheduler scheduler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        var pending = await deliveries.ListUnprocessedAsync(cancellationToken);
        foreach (var deliveryId in pending)
        {
            scheduler.Enqueue(new ProcessDelivery(deliveryId));
        }

        return pending.Count;
    }
}
