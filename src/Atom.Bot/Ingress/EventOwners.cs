using Atom.Bot.Proposals;
using Atom.Bot.Tasks;

namespace Atom.Bot.Ingress;

/// <summary>
/// Finds the owner of an issue or pull request from its repository id and number. A proposal is looked up first: its
/// issue may also have been labelled for a task, and what is said on a proposal's issue is about the proposal.
/// </summary>
public sealed class EventOwners(TaskStore tasks, ProposalStore proposals)
{
    public async Task<Owner> OfPullRequestAsync(long? repositoryId, long number, CancellationToken cancellationToken)
    {
        if (repositoryId is not { } repository)
        {
            return Owner.None;
        }

        if (await proposals.FindByPullRequestAsync(repository, (int)number, cancellationToken) is { } proposal)
        {
            return new Owner.OfProposal(proposal);
        }

        return await tasks.FindByPullRequestAsync(repository, (int)number, cancellationToken) is { } task ? new Owner.OfTask(task) : Owner.None;
    }

    /// <summary>The task whose merge waits on the checks of commit <paramref name="sha"/>; nobody's otherwise.</summary>
    public async Task<Owner> OfBlockedCommitAsync(long? repositoryId, string? sha, CancellationToken cancellationToken) =>
        repositoryId is { } repository && !string.IsNullOrEmpty(sha) && await tasks.FindBlockedOnAsync(repository, sha, cancellationToken) is { } task
            ? new Owner.OfTask(task)
            : Owner.None;

    /// <summary>An issue's owner; of its tasks, the latest is the one spoken to.</summary>
    public async Task<Owner> OfIssueAsync(long? repositoryId, long number, CancellationToken cancellationToken)
    {
        if (repositoryId is not { } repository)
        {
            return Owner.None;
        }

        if (await proposals.FindByIssueAsync(repository, (int)number, cancellationToken) is { } proposal)
        {
            return new Owner.OfProposal(proposal);
        }

        return await tasks.FindLatestAsync(repository, (int)number, cancellationToken) is { } task ? new Owner.OfTask(task) : Owner.None;
    }
}
