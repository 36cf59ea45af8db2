using System.Globalization;
using Atom.Bot.Configuration;
using Atom.Bot.GitHub;
using Octokit;

namespace Atom.Bot.Certification;

/// <summary>
/// Asks for reviews when a passed package is posted or updated, the way a colleague asks: from the <c>approvers</c> of the
/// settings, or, when none are listed, from the person who labelled the issue if they may approve it. Atom never asks
/// itself (the pull request's author) or a bot. Each reviewer is asked alone, so one GitHub refuses (422: not a
/// collaborator, say) does not keep the others from being asked; a refusal is logged and reported, never fatal.
/// </summary>
public sealed class ReviewRequests(GitHubClientFactory clients, BotIdentity bots, ILogger<ReviewRequests> logger)
{
    public async Task<ReviewRequestOutcome> RequestAsync(
        long? installationId, long repositoryId, string repository, int pullRequest, RepoSettings settings, GitHubPerson requester, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(requester);
        var slash = repository.IndexOf('/', StringComparison.Ordinal);
        var (owner, name) = (repository[..slash], repository[(slash + 1)..]);
        var client = await clients.CreateAsync(installationId, repositoryId, GitHubAccess.Certification, cancellationToken);
        var requested = new List<string>();
        var refused = new List<(string Login, string Reason)>();
        foreach (var login in await ReviewersAsync(client, owner, name, settings, requester, installationId, cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await client.PullRequest.ReviewRequest.Create(owner, name, pullRequest, new PullRequestReviewRequest([login], []));
                requested.Add(login);
            }
            catch (ApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.UnprocessableEntity)
            {
                var reason = ex.ApiError?.Message ?? ex.Message;
                refused.Add((login, reason));
                Log.ReviewRequestRefused(logger, repository, pullRequest, login, reason);
            }
        }

        return new ReviewRequestOutcome(requested, refused);
    }

    private async Task<List<string>> ReviewersAsync(
        IGitHubClient client, string owner, string name, RepoSettings settings, GitHubPerson requester, long? installationId, CancellationToken cancellationToken)
    {
        var candidates = new List<string>();
        if (settings.Approvers.Length > 0)
        {
            foreach (var entry in settings.Approvers.Select(a => a.Trim()))
            {
                candidates.Add(entry.StartsWith(ApproverEntries.IdPrefix, StringComparison.OrdinalIgnoreCase)
                    ? await LoginOfAsync(client, entry[ApproverEntries.IdPrefix.Length..].Trim(), cancellationToken) ?? ""
                    : entry);
            }
        }
        else if (settings.RequesterCanApprove && await Atom.Bot.GitHub.RepositoryPermissions.HasWritePermissionAsync(client, owner, name, requester, cancellationToken))
        {
            candidates.Add(requester.Login);
        }

        var reviewers = new List<string>();
        foreach (var login in candidates.Where(c => c.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            // The labeller cannot approve under the n+1 rule: asking them would ask for a review that cannot count.
            if ((!settings.RequesterCanApprove && string.Equals(login, requester.Login, StringComparison.OrdinalIgnoreCase))
                || await bots.IsBotOrSelfAsync(login, null, installationId, cancellationToken))
            {
                continue;
            }

            reviewers.Add(login);
        }

        return reviewers;
    }

    /// <summary>The current login of an <c>id:&lt;number&gt;</c> entry (<c>GET /user/{account_id}</c>), or null when there is no such account.</summary>
    private static async Task<string?> LoginOfAsync(IGitHubClient client, string id, CancellationToken cancellationToken)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }

        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return (await client.Connection.Get<User>(new Uri($"user/{number.ToString(CultureInfo.InvariantCulture)}", UriKind.Relative), null)).Body?.Login;
        }
        catch (NotFoundException)
        {
            return null;
        }
    }
}
