using Atom.Bot.Jobs;
using Atom.Bot.Tasks;

namespace Atom.Bot.Workers;

/// <summary>
/// A claimed assignment whose process died is run again from its remote branch after a restart; the claim makes a late
/// result void.
/// </summary>
internal sealed class AssignmentRecovery(AssignmentStore assignments) : IWorkRecovery
{
    public string What => "unfinished assignments";

    public async Task<int> RecoverAsync(WorkScheduler scheduler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        return scheduler.EnqueueAll((await assignments.ListUnfinishedAsync(cancellationToken)).Select(a => new RunAssignment(a.Id)));
    }
}
