namespace Atom.Bot.GitHub;

/// <summary>
/// The web addresses people open (an issue, a pull request), derived from <c>ATOM_GITHUB_API_URL</c>: github.com's API
/// lives on its own host, GitHub Enterprise Server's under <c>/api/v3/</c> of the web host.
/// </summary>
public static class GitHubWebUrls
{
    /// <summary>The web root for <paramref name="apiUrl"/>: <c>https://github.com/</c>, or <c>https://ghe.example.com/</c> for Enterprise.</summary>
    public static Uri Base(Uri apiUrl)
    {
        ArgumentNullException.ThrowIfNull(apiUrl);
        var host = apiUrl.Host.Equals("api.github.com", StringComparison.OrdinalIgnoreCase) ? "github.com" : apiUrl.Host;
        var path = apiUrl.AbsolutePath;
        var api = path.IndexOf("/api/", StringComparison.Ordinal);
        path = api >= 0 ? path[..(api + 1)] : path.TrimEnd('/') + "/";

        // Scheme, host, port and path only: user information in the configured URL never reaches a page.
        return new UriBuilder(apiUrl.Scheme, host, apiUrl.IsDefaultPort ? -1 : apiUrl.Port, path).Uri;
    }

    public static Uri Issue(Uri webBase, string repository, int number) => new(webBase, $"{Escape(repository)}/issues/{number}");

    public static Uri PullRequest(Uri webBase, string repository, int number) => new(webBase, $"{Escape(repository)}/pull/{number}");

    // owner/name come from webhook payloads: each segment is escaped, so a name can only ever be a path segment.
    private static string Escape(string repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return string.Join('/', repository.Split('/').Select(Uri.EscapeDataString));
    }
}
