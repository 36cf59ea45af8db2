using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Atom.Bot.Setup;

/// <summary>
/// <c>POST /app-manifests/{code}/conversions</c>: the one-time exchange (no authentication; the code is the proof, valid
/// for an hour) of the code GitHub's redirect carries for the new App's id, private key and webhook secret.
/// </summary>
public static partial class ManifestConversion
{
    public static async Task<ConversionResult> ExchangeAsync(HttpClient http, GitHubSite site, string code, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(site);
        using var request = new HttpRequestMessage(HttpMethod.Post, site.Conversion(code));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("atom-setup", "1.0"));
        request.Headers.Add("X-GitHub-Api-Version", "2022-11-28");
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            return ConversionResult.Failed($"{site.Api} cannot be reached: {e.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ConversionResult.Failed($"{site.Api} did not answer in time; the code stays valid for an hour: reload the page GitHub sent you back to, or run atom setup again");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode != HttpStatusCode.Created)
            {
                return ConversionResult.Failed(response.StatusCode switch
                {
                    HttpStatusCode.NotFound => $"GitHub does not know the code (404: {Message(text)}): it was used already or expired (a code lasts one hour). The App may exist: look at {site.Web}settings/apps, delete it or use it, and run atom setup again",
                    HttpStatusCode.UnprocessableEntity => $"GitHub refused the manifest (422: {Message(text)})",
                    _ => $"GitHub answered {(int)response.StatusCode} to the code's exchange: {Message(text)}",
                });
            }

            return Read(text);
        }
    }

    internal static ConversionResult Read(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            var slug = String(root, "slug");
            var htmlUrl = String(root, "html_url");
            var pem = String(root, "pem");
            var secret = String(root, "webhook_secret");
            if (!root.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.Number || slug is null || htmlUrl is null || pem is null || secret is null)
            {
                return ConversionResult.Failed("GitHub's answer to the exchange lacks the App's id, slug, html_url, pem or webhook_secret");
            }

            // The slug names the key's file: only GitHub's own slug alphabet may reach a path.
            if (!SlugPattern().IsMatch(slug) || !Uri.TryCreate(htmlUrl, UriKind.Absolute, out var html) || html.Scheme is not ("https" or "http"))
            {
                return ConversionResult.Failed("GitHub's answer to the exchange has an unexpected slug or html_url");
            }

            return ConversionResult.Created(new CreatedApp(id.GetInt64(), slug, String(root, "name") ?? slug, html, pem, secret));
        }
        catch (JsonException)
        {
            return ConversionResult.Failed("GitHub's answer to the exchange is not JSON");
        }
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    private static string Message(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
            {
                return message.GetString()!;
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's page): show its start.
        }

        return text.Length > 200 ? text[..200] : text;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,99}$")]
    private static partial Regex SlugPattern();
}
