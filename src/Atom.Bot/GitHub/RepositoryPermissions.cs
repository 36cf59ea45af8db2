using Octokit;

namespace Atom.Bot.GitHub;

/// <summary>Who may hand work to Atom or approve it: the configured approvers, else write, maintain or admin permission.</summary>
public sealed class RepositoryPermissions(ApproverEntries entries)
{
    public async Task<bool> CanWriteAsync(IGitHubClient client, string owner, string name, long repositoryId, GitHubPerson person, IReadOnlyList<string> approvers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(approvers);
        ArgumentNullException.ThrowIfNull(person);
        if (approvers.Count > 0 && await entries.ListsAsync(client, repositoryId, approvers, person, cancellationToken))
        {
            return true;
        }

        return await HasWritePermissionAsync(client, owner, name, person, cancellationToken);
    }

    /// <summary>
    /// Write, maintain or admin permission of exactly this account: the permission API is asked by login, and its answer
    /// counts only when it names the same user id (a login renamed or re-registered since the event names someone else).
    /// </summary>
    public static async Task<bool> HasWritePermissionAsync(IGitHubClient client, string owner, string name, GitHubPerson person, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(person);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // GitHub reports "maintain" as "write" in this legacy field (and "triage" as "read"); role_name has the detail.
            // Asked through the connection: Octokit's typed answer leaves out the user the permission belongs to.
            var answer = (await client.Connection.Get<PermissionAnswer>(
                new Uri($"repos/{Uri.EscapeDataString(owner)}/{Uri.EscapeDataString(name)}/collaborators/{Uri.EscapeDataString(person.Login)}/permission", UriKind.Relative),
                null)).Body;
            return answer?.User?.Id == person.Id && answer.Permission is "admin" or "write" or "maintain";
        }
        catch (NotFoundException)
        {
            return false;
        }
    }

    /// <summary>The fields of <c>GET /repos/{owner}/{repo}/collaborators/{username}/permission</c> this check reads.</summary>
    private sealed class PermissionAnswer
    {
        public string? Permission { get; set; }

        public User? User { get; set; }
    }
}
