namespace Atom.Bot.Setup;

/// <summary>
/// The GitHub an App is made on: github.com (web at <c>https://github.com/</c>, API at <c>https://api.github.com/</c>) or a
/// GitHub Enterprise Server (web at its host, API under <c>/api/v3/</c> of the same host).
/// </summary>
public sealed record GitHubSite(Uri Web, Uri Api)
{
    public static readonly GitHubSite GitHubCom = new(new Uri("https://github.com/"), new Uri("https://api.github.com/"));

    public bool IsGitHubCom => Web.Host.Equals("github.com", StringComparison.OrdinalIgnoreCase);

    /// <summary>The site whose web root is <paramref name="webUrl"/> (<c>--github-url</c>); github.com's API has its own host.</summary>
    public static GitHubSite For(Uri webUrl)
    {
        ArgumentNullException.ThrowIfNull(webUrl);
        // Scheme, host and port only: a path or user information in the given URL is not part of GitHub's addresses.
        var web = new UriBuilder(webUrl.Scheme, webUrl.Host, webUrl.IsDefaultPort ? -1 : webUrl.Port, "/").Uri;
        return web.Host.Equals("github.com", StringComparison.OrdinalIgnoreCase) ? GitHubCom : new GitHubSite(web, new Uri(web, "api/v3/"));
    }

    /// <summary>Where the manifest is posted: the account's new-App page, or the organisation's.</summary>
    public Uri NewAppPage(string? organization, string state) => new(
        Web,
        (organization is null ? "settings/apps/new" : $"organizations/{Uri.EscapeDataString(organization)}/settings/apps/new") + $"?state={Uri.EscapeDataString(state)}");

    /// <summary>The one-time exchange of the code GitHub's redirect carries for the App's id, key and secrets.</summary>
    public Uri Conversion(string code) => new(Api, $"app-manifests/{Uri.EscapeDataString(code)}/conversions");
}
