using Atom.Bot.Jobs;

namespace Atom.Bot.Proposals;

/// <summary>An approved proposal whose build was lost is built again; the build finds its own branch and pull request.</summary>
internal sealed class ProposalRecovery(ProposalStore proposals) : IWorkRecovery
{
    public string What => "approved proposals";

    public async Task<int> RecoverAsync(WorkScheduler scheduler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        return scheduler.EnqueueAll((await proposals.ListAsync(null, cancellationToken))
            .Where(p => p.State == ProposalState.Approved && p.Category != ProposalCategory.Tooling)
            .Select(p => new ImplementProposal(p.Id)));
    }
}
