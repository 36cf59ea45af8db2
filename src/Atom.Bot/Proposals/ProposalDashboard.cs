using Octokit;

namespace Atom.Bot.Proposals;

/// <summary>The "Atom proposals" issue of a repository: created once, then its body is edited to list every open proposal.</summary>
public sealed class ProposalDashboard(ProposalStore store, Atom.Bot.Configuration.AtomOptions options)
{
    public async Task<int> RefreshAsync(IGitHubClient client, long repositoryId, string owner, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var body = Atom.Bot.Configuration.Redaction.Redact(ProposalText.Dashboard(await store.ListAsync(repositoryId, cancellationToken)), options.Secrets());
        if (await store.DashboardAsync(repositoryId, cancellationToken) is { } existing)
        {
            await client.Issue.Update(owner, name, existing, new IssueUpdate { Body = body });
            return existing;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var issue = new NewIssue(ProposalText.DashboardTitle) { Body = body };
        issue.Labels.Add(ProposalText.DashboardLabel);
        var created = await client.Issue.Create(owner, name, issue);
        if (!await store.SetDashboardAsync(repositoryId, created.Number, cancellationToken))
        {
            // Another run filed one first: keep that one, close ours.
            await client.Issue.Update(owner, name, created.Number, new IssueUpdate { State = ItemState.Closed });
            return (await store.DashboardAsync(repositoryId, cancellationToken))!.Value;
        }

        return created.Number;
    }
}
