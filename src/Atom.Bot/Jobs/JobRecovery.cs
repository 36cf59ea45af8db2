namespace Atom.Bot.Jobs;

/// <summary>On start, asks every area's <see cref="IWorkRecovery"/> to enqueue again what its store says is unfinished.</summary>
internal sealed partial class JobRecovery(IEnumerable<IWorkRecovery> recoveries, WorkScheduler scheduler, ILogger<JobRecovery> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var recovery in recoveries)
        {
            var count = await recovery.RecoverAsync(scheduler, cancellationToken);
            if (count > 0)
            {
                LogRecovered(logger, count, recovery.What);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 900, Level = LogLevel.Information, Message = "Re-enqueued {Count} {What}")]
    private static partial void LogRecovered(ILogger logger, int count, string what);
}
