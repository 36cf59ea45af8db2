using Octokit;

namespace Atom.Bot.GitHub;

/// <summary>An Octokit client authenticated for one installation (or the personal token).</summary>
public sealed class GitHubClientFactory(GitHubCredentials credentials, GitHubConnectionFactory connections)
{
    public async Task<IGitHubClient> CreateAsync(long? installationId, CancellationToken cancellationToken)
    {
        var token = await credentials.GetTokenAsync(installationId, cancellationToken);
        return new GitHubClient(connections.Create(new Credentials(token)));
    }
}
