namespace Atom.Bot.Setup;

/// <summary>What GitHub's manifest conversion returns that Atom keeps: the App's identity and its two secrets.</summary>
public sealed record CreatedApp(long Id, string Slug, string Name, Uri HtmlUrl, string Pem, string WebhookSecret)
{
    /// <summary>Where the App is installed on repositories.</summary>
    public Uri InstallUrl => new($"{HtmlUrl.ToString().TrimEnd('/')}/installations/new");

    // A record prints every property; this one holds the private key and the webhook secret.
    public override string ToString() => $"GitHub App {Slug} (id {Id})";
}
