using Octokit;

namespace Atom.Bot.GitHub;

/// <summary>Who may hand work to Atom or approve it: the configured approvers, else write, maintain or admin permission.</summary>
public sealed class RepositoryPermissions
{
    public async Task<bool> CanWriteAsync(IGitHubClient client, string owner, string name, string login, IReadOnlyList<string> approvers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(approvers);
        if (approvers.Any(a => string.Equals(a, login, StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // GitHub reports "maintain" as "write" in this legacy field (and "triage" as "read"); role_name has the detail.
            var permission = await client.Repository.Collaborator.ReviewPermission(owner, name, login);
            return permission.Permission is "admin" or "write" or "maintain";
        }
        catch (NotFoundException)
        {
            return false;
        }
    }
}
