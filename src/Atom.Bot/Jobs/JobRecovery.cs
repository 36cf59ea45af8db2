using Atom.Bot.Ingress;
using Atom.Bot.Proposals;
using Atom.Bot.Supervisor;
using Atom.Bot.Tasks;
using Atom.Bot.Workers;

namespace Atom.Bot.Jobs;

/// <summary>
/// In-memory jobs do not survive a restart, the store does: on start, every delivery not yet processed and every
/// task not in a final state is enqueued again. Jobs are idempotent, so a duplicate costs nothing.
/// </summary>
internal sealed partial class JobRecovery(TaskStore tasks, AssignmentStore assignments, DeliveryStore deliveries, ProposalStore proposals, WorkScheduler queue, ILogger<JobRecovery> logger) : IHostedService
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

        // A claimed assignment whose process died is run again from its remote branch; the claim makes a late result void.
        var work = await assignments.ListUnfinishedAsync(cancellationToken);
        foreach (var assignment in work)
        {
            queue.Enqueue(new RunAssignment(assignment.Id));
        }

        // An approved proposal whose build was lost is built again; the build finds its own branch and pull request.
        var approved = (await proposals.ListAsync(null, cancellationToken)).Where(p => p.State == ProposalState.Approved && p.Category != ProposalCategory.Tooling).ToList();
        foreach (var proposal in approved)
        {
            queue.Enqueue(new ImplementProposal(proposal.Id));
        }

        if (pending.Count + unfinished.Count + work.Count + approved.Count > 0)
        {
            LogRecovered(logger, pending.Count, unfinished.Count, work.Count, approved.Count);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 900, Level = LogLevel.Information, Message = "Re-enqueued {Deliveries} unprocessed deliveries, {Tasks} unfinished tasks, {Assignments} unfinished assignments and {Proposals} approved proposals")]
    private static partial void LogRecovered(ILogger logger, int deliveries, int tasks, int assignments, int proposals);
}
