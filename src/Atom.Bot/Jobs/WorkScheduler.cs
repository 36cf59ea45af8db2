using Atom.Bot.Ingress;
using Atom.Bot.Proposals;
using Atom.Bot.Supervisor;
using Atom.Bot.Workers;
using Hangfire;

namespace Atom.Bot.Jobs;

/// <summary>Enqueues work items (ids only, so a job can always be re-run from what the store holds).</summary>
public sealed class WorkScheduler(IBackgroundJobClient jobs)
{
    public string Enqueue(ProcessDelivery work) =>
        jobs.Enqueue<DeliveryProcessor>(JobQueues.Ingress, p => p.ProcessAsync(work, CancellationToken.None));

    public string Enqueue(AdvanceTask work) =>
        jobs.Enqueue<TaskSupervisor>(JobQueues.Supervisor, p => p.ProcessAsync(work, CancellationToken.None));

    /// <summary>Deletes a job; a running one sees its cancellation token fire at Hangfire's next check.</summary>
    public bool Delete(string jobId) => jobs.Delete(jobId);

    public string Enqueue(DetectGaps work) =>
        jobs.Enqueue<ProposalDrafter>(JobQueues.Supervisor, p => p.DetectAsync(work, CancellationToken.None));

    public string Enqueue(ImplementProposal work) =>
        jobs.Enqueue<ProposalImplementer>(JobQueues.Supervisor, p => p.ImplementAsync(work, CancellationToken.None));

    public string Enqueue(RunAssignment work) =>
        jobs.Enqueue<AssignmentWorker>(JobQueues.Workers, p => p.RunAsync(work, CancellationToken.None));
}
