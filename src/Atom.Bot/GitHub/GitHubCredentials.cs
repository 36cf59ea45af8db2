using System.Collections.Concurrent;
using Atom.Bot.Configuration;
using Octokit;

namespace Atom.Bot.GitHub;

/// <summary>
/// The token Atom acts with: the personal token, or a GitHub App installation token (JWT → installation token),
/// cached per installation until five minutes before it expires.
/// </summary>
public sealed class GitHubCredentials(AtomOptions options, GitHubConnectionFactory connections, TimeProvider clock) : IDisposable
{
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<long, AccessToken> _installationTokens = new();
    private readonly SemaphoreSlim _refresh = new(1, 1);

    private string? _appSlug;

    public bool UsesApp => options.GitHubAppId is not null && options.GitHubAppPrivateKeyPath is not null;

    public async Task<string> GetTokenAsync(long? installationId, CancellationToken cancellationToken)
    {
        if (!UsesApp || installationId is null)
        {
            return options.GitHubToken
                ?? throw new InvalidOperationException(UsesApp
                    ? "The delivery has no installation, and ATOM_GITHUB_TOKEN is not set."
                    : "No GitHub credentials: set ATOM_GITHUB_TOKEN, or ATOM_GITHUB_APP_ID and ATOM_GITHUB_APP_PRIVATE_KEY_PATH.");
        }

        var id = installationId.Value;
        if (_installationTokens.TryGetValue(id, out var cached) && cached.ExpiresAt - RefreshMargin > clock.GetUtcNow())
        {
            return cached.Token;
        }

        await _refresh.WaitAsync(cancellationToken);
        try
        {
            if (_installationTokens.TryGetValue(id, out cached) && cached.ExpiresAt - RefreshMargin > clock.GetUtcNow())
            {
                return cached.Token;
            }

            var pem = await File.ReadAllTextAsync(options.GitHubAppPrivateKeyPath!, cancellationToken);
            var jwt = GitHubAppJwt.Create(options.GitHubAppId!.Value, pem, clock.GetUtcNow());
            var appClient = new GitHubClient(connections.Create(new Credentials(jwt, AuthenticationType.Bearer)));
            var token = await appClient.GitHubApps.CreateInstallationToken(id);
            _installationTokens[id] = token;
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

        var pem = await File.ReadAllTextAsync(options.GitHubAppPrivateKeyPath!, cancellationToken);
        var jwt = GitHubAppJwt.Create(options.GitHubAppId!.Value, pem, clock.GetUtcNow());
        var appClient = new GitHubClient(connections.Create(new Credentials(jwt, AuthenticationType.Bearer)));
        _appSlug = (await appClient.GitHubApps.GetCurrent()).Slug;
        return _appSlug;
    }

    public void Dispose() => _refresh.Dispose();
}
