using Atom.Bot.Jobs;

namespace Atom.Bot.Proposals;

/// <summary>An approved proposal whose build was lost is built again; the build finds its own branch and pull request.</summary>
internal sealed class ProposalRecovery(ProposalStore proposals) : IWorkRecovery
{
    public string What => "approved proposals";

    public async Task<int> RecoverAsync(WorkScheduler scheduler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        var approved = (await proposals.ListAsync(null, cancellationToken))
            .Where(p => p.State == ProposalState.Approved && p.Category != ProposalCategory.Tooling)
            .ToList();
        foreach (var proposal in approved)
        {
            scheduler.Enqueue(new ImplementProposal(proposal.Id));
        }

        return approved.Count;
    }
}
