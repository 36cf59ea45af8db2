using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Atom.Bot.Setup;

/// <summary>
/// The local pages of <c>atom setup</c>: the one with the button whose form carries the manifest to GitHub, and the ones
/// GitHub's redirect lands on. No page holds a secret: the key and the webhook secret only reach the files.
/// </summary>
public static class SetupPage
{
    /// <summary>No script, no outside resource: the page is a form and its words.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";

    private const string Style = "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}button{font-size:1.1rem;padding:.6rem 1.2rem}code{word-break:break-all}";

    public static string Start(SetupArguments arguments, JsonObject manifest, string state)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(manifest);
        var owner = arguments.Organization is null ? "your account" : $"the organisation {arguments.Organization}";
        var permissions = string.Join(", ", manifest["default_permissions"]!.AsObject().Select(p => $"{p.Key}: {p.Value}"));
        var events = string.Join(", ", manifest["default_events"]!.AsArray().Select(e => e!.GetValue<string>()));
        return Page("Create Atom's GitHub App", $"""
            <p>This makes a private GitHub App for Atom on <b>{E(arguments.Site.Web.ToString())}</b>, owned by {E(owner)}.</p>
            <ul>
            <li>Webhook: <code>{E(arguments.WebhookUrl.ToString())}</code></li>
            <li>Permissions: {E(permissions)}</li>
            <li>Events: {E(events)}</li>
            </ul>
            <form method="post" action="{E(arguments.Site.NewAppPage(arguments.Organization, state).ToString())}">
            <input type="hidden" name="manifest" value="{E(manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = false }))}">
            <button type="submit" id="create">Create the GitHub App on GitHub</button>
            </form>
            <p>GitHub shows the App's name (change it if GitHub says it is taken) and a <i>Create</i> button, then sends you back here.</p>
            """);
    }

    public static string Done(CreatedApp app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return Page("Done", $"""
            <p id="outcome" data-outcome="done">Done: the GitHub App <b>{E(app.Name)}</b> is created and its key and secrets are in the files the terminal names.</p>
            <p>Return to the terminal for the next steps; this page can be closed.</p>
            """);
    }

    public static string Failed(string error) => Page("Setup failed", $"""
        <p id="outcome" data-outcome="failed">Setup failed: {E(error)}</p>
        <p>Return to the terminal.</p>
        """);

    public static string Refused(string reason) => Page("Refused", $"""
        <p id="outcome" data-outcome="refused">{E(reason)} Nothing was exchanged with GitHub.</p>
        """);

    private static string Page(string title, string body) => $"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>atom setup: {E(title)}</title><style>{Style}</style></head>
        <body><h1>{E(title)}</h1>
        {body}
        </body></html>
        """;

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
