using Atom.Bot.Jobs;
using Atom.Bot.Tasks;

namespace Atom.Bot.Supervisor;

/// <summary>Every task not in a final state is advanced again after a restart, from the state its store holds.</summary>
internal sealed class TaskRecovery(TaskStore tasks) : IWorkRecovery
{
    public string What => "unfinished tasks";

    public async Task<int> RecoverAsync(WorkScheduler scheduler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        return scheduler.EnqueueAll((await tasks.ListUnfinishedAsync(cancellationToken)).Select(t => new AdvanceTask(t.Id)));
    }
}
