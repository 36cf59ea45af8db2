using System.Text.Json.Nodes;
using Atom.Bot.GitHub;
using Atom.Bot.Ingress;

namespace Atom.Bot.Setup;

/// <summary>
/// The GitHub App manifest <c>atom setup</c> posts to GitHub (GitHub's "Registering a GitHub App from a manifest"): a
/// private App with exactly <see cref="AppRequirements"/>' permissions and events, delivering to Atom's webhook.
/// GitHub generates the webhook secret and the private key and returns them in the conversion.
/// </summary>
public static class AppManifest
{
    public const string Description = "Atom.Bot: plans, implements, tests and certifies changes for the issues you label, and merges them when a person approves.";

    /// <summary>The webhook address: a URL with no path gets Atom's <see cref="WebhookPayloadGuard.Path"/>; any other path (a tunnel's) is kept.</summary>
    public static Uri WebhookUrl(Uri given)
    {
        ArgumentNullException.ThrowIfNull(given);
        return given.AbsolutePath == "/" ? new Uri(given, WebhookPayloadGuard.Path.TrimStart('/')) : given;
    }

    public static JsonObject Build(string name, Uri webhookUrl, Uri redirectUrl)
    {
        ArgumentNullException.ThrowIfNull(webhookUrl);
        ArgumentNullException.ThrowIfNull(redirectUrl);
        var permissions = new JsonObject();
        foreach (var (permission, level) in AppRequirements.Permissions.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            permissions[permission] = level;
        }

        return new JsonObject
        {
            ["name"] = name,
            // GitHub requires a homepage; the service itself is the one address every setup has.
            ["url"] = new Uri(webhookUrl, "/").ToString(),
            ["hook_attributes"] = new JsonObject { ["url"] = webhookUrl.ToString(), ["active"] = true },
            ["redirect_url"] = redirectUrl.ToString(),
            ["description"] = Description,
            ["public"] = false,
            ["default_permissions"] = permissions,
            ["default_events"] = new JsonArray([.. AppRequirements.AllEvents.Select(e => JsonValue.Create(e))]),
        };
    }
}
