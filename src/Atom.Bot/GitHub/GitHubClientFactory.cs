using Octokit;

namespace Atom.Bot.GitHub;

/// <summary>An Octokit client authenticated for one repository of one installation with one access (or the personal token).</summary>
public sealed class GitHubClientFactory(GitHubCredentials credentials, GitHubConnectionFactory connections)
{
    /// <exception cref="GitHubTokenRefusedException">GitHub will not grant the access for that repository.</exception>
    public async Task<IGitHubClient> CreateAsync(long? installationId, long repositoryId, GitHubAccess access, CancellationToken cancellationToken)
    {
        var token = await credentials.GetTokenAsync(installationId, repositoryId, access, cancellationToken);
        return new GitHubClient(connections.Create(new Credentials(token)));
    }

    /// <summary>A client with the personal token (<c>ATOM_GITHUB_TOKEN</c>), for what belongs to no repository (who the token's user is).</summary>
    public async Task<IGitHubClient> CreatePersonalAsync(CancellationToken cancellationToken)
    {
        var token = await credentials.GetTokenAsync(null, 0, GitHubAccess.Read, cancellationToken);
        return new GitHubClient(connections.Create(new Credentials(token)));
    }
}
