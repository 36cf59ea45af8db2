using System.Threading.Channels;
using Atom.Bot.Jobs;

namespace Atom.Bot.Ingress;

/// <summary>
/// Puts each stored delivery's job on the queue. With jobs in memory that is instant and happens in the request. With
/// jobs in PostgreSQL an enqueue costs Hangfire.PostgreSql two transactions, about three times the delivery's own
/// insert, so the webhook answers once the delivery is stored and this service enqueues its job right after, off the
/// request, and records that it did. A delivery stored but never enqueued (the instance died between the two) is found
/// by the sweep that every instance runs each <see cref="JobOptions.Heartbeat"/>: unprocessed, not enqueued, and older
/// than that.
/// </summary>
public sealed partial class DeliveryEnqueuer(DeliveryStore deliveries, WorkScheduler scheduler, JobOptions jobs, TimeProvider clock, ILogger<DeliveryEnqueuer> logger) : BackgroundService
{
    private readonly Channel<string> _pending = Channel.CreateBounded<string>(new BoundedChannelOptions(10_000) { SingleReader = true });

    private bool Deferred => jobs.Shared;

    /// <summary>Enqueues the stored delivery's job, now or (jobs in PostgreSQL) right after the request.</summary>
    public async ValueTask AcceptAsync(string deliveryId, CancellationToken cancellationToken)
    {
        if (!Deferred || !_pending.Writer.TryWrite(deliveryId))
        {
            // In memory, or the service is stopping, or 10,000 are waiting: enqueue in the request, as a slow answer
            // is better than a lost one.
            await EnqueueAsync(deliveryId, cancellationToken);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _pending.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Deferred)
        {
            return;
        }

        var sweep = SweepAsync(stoppingToken);

        // Drained to the end on stop (the writer is completed first), so nothing accepted stays behind.
        await foreach (var deliveryId in _pending.Reader.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                await EnqueueAsync(deliveryId, CancellationToken.None);
            }
            catch (Exception ex)
            {
                // Stored, not enqueued: the sweep finds it.
                LogEnqueueFailed(logger, deliveryId, ex);
            }
        }

        await sweep;
    }

    private async Task EnqueueAsync(string deliveryId, CancellationToken cancellationToken)
    {
        scheduler.Enqueue(new ProcessDelivery(deliveryId));
        if (Deferred)
        {
            await deliveries.MarkEnqueuedAsync(deliveryId, cancellationToken);
        }
    }

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(jobs.Heartbeat, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    foreach (var deliveryId in await deliveries.ListStrandedAsync(clock.GetUtcNow() - jobs.Heartbeat, stoppingToken))
                    {
                        await EnqueueAsync(deliveryId, stoppingToken);
                        LogStranded(logger, deliveryId);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogSweepFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Warning, Message = "Delivery {DeliveryId} is stored but its job could not be enqueued; the sweep will")]
    private static partial void LogEnqueueFailed(ILogger logger, string deliveryId, Exception exception);

    [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "Delivery {DeliveryId} was stored but never enqueued (its instance stopped in between); enqueued now")]
    private static partial void LogStranded(ILogger logger, string deliveryId);

    [LoggerMessage(EventId = 112, Level = LogLevel.Warning, Message = "Looking for stored deliveries that were never enqueued failed; trying again at the next sweep")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
