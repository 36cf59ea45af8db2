using Octokit;
using Octokit.Internal;

namespace Atom.Bot.GitHub;

/// <summary>Octokit connections to <c>ATOM_GITHUB_API_URL</c> that go through <see cref="GitHubRetryHandler"/>.</summary>
public sealed class GitHubConnectionFactory(GitHubOptions options, GitHubRetryPolicy retryPolicy, TimeProvider clock) : IDisposable
{
    private static readonly ProductHeaderValue Product = new("atom-bot", typeof(GitHubConnectionFactory).Assembly.GetName().Version?.ToString(3));

    // One connection pool for every client; Octokit never disposes the handlers it is given.
    private readonly SocketsHttpHandler _sockets = new() { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };

    public IConnection Create(Credentials credentials)
    {
        var http = new HttpClientAdapter(() => new GitHubRetryHandler(retryPolicy, clock) { InnerHandler = _sockets });
        return new Connection(Product, ApiBase(options.GitHubApiUrl), new InMemoryCredentialStore(credentials), http, new SimpleJsonSerializer());
    }

    /// <summary>
    /// GitHub Enterprise (and any host but api.github.com) serves REST under <c>/api/v3/</c>; <c>GitHubClient</c> applies
    /// this rule itself, but a hand-built <see cref="Connection"/> does not, so it is applied here the same way.
    /// </summary>
    public static Uri ApiBase(Uri configured)
    {
        ArgumentNullException.ThrowIfNull(configured);
        if (configured.Host.Equals("api.github.com", StringComparison.OrdinalIgnoreCase)
            || configured.AbsolutePath.EndsWith("/api/v3/", StringComparison.Ordinal))
        {
            return configured;
        }

        return new Uri(configured, "api/v3/");
    }

    public void Dispose() => _sockets.Dispose();
}
