using Atom.Bot.Health;
using Atom.Bot.Jobs;
using Atom.Bot.Tasks;

namespace Atom.Bot.Supervisor;

/// <summary>
/// New tasks wait while the platform is critical (<see cref="TaskSupervisor"/> looks again every
/// <see cref="TaskSupervisor.PlatformWait"/>); the moment it is not, this wakes every task still waiting to be planned.
/// </summary>
public sealed partial class PlatformResume(PlatformMode platform, TaskStore tasks, WorkScheduler scheduler, ILogger<PlatformResume> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        platform.Changed += OnChanged;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        platform.Changed -= OnChanged;
        return Task.CompletedTask;
    }

    private void OnChanged(PlatformState state)
    {
        if (state.Level != PlatformLevel.Critical)
        {
            _ = ResumeAsync();
        }
    }

    private async Task ResumeAsync()
    {
        try
        {
            var waiting = (await tasks.ListUnfinishedAsync(CancellationToken.None)).Where(t => t.State == TaskState.Accepted).ToList();
            foreach (var task in waiting)
            {
                scheduler.Enqueue(new AdvanceTask(task.Id));
            }

            if (waiting.Count > 0)
            {
                LogResumed(logger, waiting.Count);
            }
        }
        catch (Exception ex)
        {
            // The waiting tasks look again on their own within a minute.
            LogResumeFailed(logger, ex);
        }
    }

    [LoggerMessage(EventId = 305, Level = LogLevel.Information, Message = "The platform is no longer critical: {Count} waiting task(s) go on")]
    private static partial void LogResumed(ILogger logger, int count);

    [LoggerMessage(EventId = 306, Level = LogLevel.Warning, Message = "Waking the tasks that waited for the platform failed; they look again on their own")]
    private static partial void LogResumeFailed(ILogger logger, Exception exception);
}
