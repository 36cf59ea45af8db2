using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Octokit;

namespace Atom.Bot.GitHub;

/// <summary>
/// The token Atom acts with: the personal token, or a GitHub App installation token (JWT → installation token) for one
/// repository and one <see cref="GitHubAccess"/>, cached per installation, repository and access until five minutes
/// before it expires.
/// </summary>
public sealed class GitHubCredentials(GitHubOptions options, GitHubConnectionFactory connections, TimeProvider clock, ILogger<GitHubCredentials> logger) : IDisposable
{
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<(long Installation, long Repository, string Access), AccessToken> _installationTokens = new();
    private readonly SemaphoreSlim _refresh = new(1, 1);

    private string? _appSlug;

    public bool UsesApp => options.GitHubAppId is not null && options.GitHubAppPrivateKeyPath is not null;

    /// <summary>The personal token (whatever the repository and access), or an installation token limited to both.</summary>
    /// <exception cref="GitHubTokenRefusedException">GitHub will not grant the access for that repository.</exception>
    public async Task<string> GetTokenAsync(long? installationId, long repositoryId, GitHubAccess access, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(access);
        if (!UsesApp || installationId is null)
        {
            return options.GitHubToken
                ?? throw new InvalidOperationException(UsesApp
                    ? "The delivery has no installation, and ATOM_GITHUB_TOKEN is not set."
                    : "No GitHub credentials: set ATOM_GITHUB_TOKEN, or ATOM_GITHUB_APP_ID and ATOM_GITHUB_APP_PRIVATE_KEY_PATH.");
        }

        var key = (installationId.Value, repositoryId, access.Name);
        if (_installationTokens.TryGetValue(key, out var cached) && cached.ExpiresAt - RefreshMargin > clock.GetUtcNow())
        {
            return cached.Token;
        }

        await _refresh.WaitAsync(cancellationToken);
        try
        {
            if (_installationTokens.TryGetValue(key, out cached) && cached.ExpiresAt - RefreshMargin > clock.GetUtcNow())
            {
                return cached.Token;
            }

            var token = await RequestAsync(installationId.Value, repositoryId, access, cancellationToken);
            _installationTokens[key] = token;
            Log.TokenIssued(logger, installationId.Value, repositoryId, access.Name, token.ExpiresAt);
            return token.Token;
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>The App's slug (<c>GET /app</c> with the App's JWT): its pull requests and comments are by <c>&lt;slug&gt;[bot]</c>.</summary>
    public async Task<string> AppSlugAsync(CancellationToken cancellationToken)
    {
        if (!UsesApp)
        {
            throw new InvalidOperationException("Atom does not run as a GitHub App.");
        }

        if (_appSlug is { } known)
        {
            return known;
        }

        var appClient = new GitHubClient(await AppConnectionAsync(cancellationToken));
        _appSlug = (await appClient.GitHubApps.GetCurrent()).Slug;
        return _appSlug;
    }

    public void Dispose() => _refresh.Dispose();

    /// <summary>A connection authenticated as the App itself: a JWT signed with its private key, read anew each time (rotation).</summary>
    private async Task<IConnection> AppConnectionAsync(CancellationToken cancellationToken)
    {
        var pem = await File.ReadAllTextAsync(options.GitHubAppPrivateKeyPath!, cancellationToken);
        var jwt = GitHubAppJwt.Create(options.GitHubAppId!.Value, pem, clock.GetUtcNow());
        return connections.Create(new Credentials(jwt, AuthenticationType.Bearer));
    }

    // POST /app/installations/{id}/access_tokens with a body: Octokit 14's CreateInstallationToken sends none, which
    // would give a token for every repository of the installation with every permission of the App.
    private async Task<AccessToken> RequestAsync(long installationId, long repositoryId, GitHubAccess access, CancellationToken cancellationToken)
    {
        var connection = await AppConnectionAsync(cancellationToken);
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["repository_ids"] = new[] { repositoryId },
            ["permissions"] = access.Permissions,
        });
        var uri = new Uri($"app/installations/{installationId.ToString(System.Globalization.CultureInfo.InvariantCulture)}/access_tokens", UriKind.Relative);
        try
        {
            var response = await connection.Post<AccessToken>(uri, body, "application/vnd.github+json", "application/json", (IDictionary<string, string>?)null, cancellationToken);
            return response.Body;
        }
        catch (ApiException ex) when (ex.StatusCode is HttpStatusCode.UnprocessableEntity or HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
        {
            Log.TokenRefused(logger, installationId, repositoryId, access.Name, (int)ex.StatusCode, ex.Message);
            throw new GitHubTokenRefusedException(
                $"GitHub refused an installation token for repository {repositoryId} with {access}: {ex.Message} (HTTP {(int)ex.StatusCode}). "
                + "The GitHub App needs these permissions, accepted on the installation, and the repository must be part of the installation.",
                ex);
        }
    }
}
