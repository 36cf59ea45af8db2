using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Atom.Bot.Configuration;
using Octokit;

namespace Atom.Bot.Proposals;

/// <summary>
/// The "Atom proposals" issue of a repository (like Renovate's dependency dashboard): created and pinned once, then its
/// body is edited to list every open proposal.
/// </summary>
public sealed partial class ProposalDashboard(ProposalStore store, Redactor redactor, ILogger<ProposalDashboard> logger)
{
    public async Task<int> RefreshAsync(IGitHubClient client, long repositoryId, string owner, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var body = redactor.Redact(ProposalText.Dashboard(await store.ListAsync(repositoryId, cancellationToken)));
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

        await PinAsync(client, created, cancellationToken);
        return created.Number;
    }

    /// <summary>Pinning is GraphQL only. A repository that cannot pin (three pinned already, no permission) keeps it unpinned.</summary>
    private async Task PinAsync(IGitHubClient client, Issue issue, CancellationToken cancellationToken)
    {
        if (!NodeId().IsMatch(issue.NodeId ?? ""))
        {
            Log.NotPinned(logger, issue.Number, "no node id");
            return;
        }

        var query = new JsonObject { ["query"] = $"mutation {{ pinIssue(input: {{issueId: \"{issue.NodeId}\"}}) {{ issue {{ number }} }} }}" };
        try
        {
            // GraphQL lives at /graphql on github.com and at /api/graphql next to GitHub Enterprise's /api/v3/.
            var response = await client.Connection.Post<object>(new Uri(client.Connection.BaseAddress, "../graphql"), query.ToJsonString(), "application/json", "application/json",
                (IDictionary<string, string>?)null, cancellationToken);
            using var answer = JsonDocument.Parse(response.HttpResponse.Body as string ?? "{}");
            if (answer.RootElement.TryGetProperty("errors", out var errors))
            {
                Log.NotPinned(logger, issue.Number, errors.ToString());
            }
        }
        catch (ApiException ex)
        {
            Log.NotPinned(logger, issue.Number, ex.Message);
        }
    }

    // GraphQL ids are base64-like; anything else is not spliced into a query.
    [GeneratedRegex("^[A-Za-z0-9_=+/-]+$")]
    private static partial Regex NodeId();
}
