using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>
/// GitHub's side of the App manifest flow on WireMock, Enterprise-shaped (web at the root, API under <c>/api/v3/</c>):
/// the new-App page takes the posted form and, as GitHub does after its <i>Create</i> button, sends the browser to the
/// manifest's <c>redirect_url</c> with a code and the state; the conversion answers with the created App.
/// </summary>
public sealed class ManifestFlowStub : IDisposable
{
    public const string Code = "a1b2c3d4e5f6";
    public const string WebhookSecret = "e340154128314309424b7c8e90325147d99fdafa";
    public const string ClientSecret = "1d4b2097ac622ba702d19de498f005747a8b21d3";

    public ManifestFlowStub()
    {
        Server = LoopbackWireMock.Start();
        using var key = RSA.Create(2048);
        Pem = key.ExportRSAPrivateKeyPem() + "\n";
        Server.Given(Request.Create().UsingPost().WithPath(new RegexMatcher("^(/organizations/[^/]+)?/settings/apps/new$")))
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var form = QueryHelpers.ParseQuery(request.Body ?? "");
                var state = request.Query is { } query && query.TryGetValue("state", out var states) ? states.FirstOrDefault() : null;
                var manifest = form.TryGetValue("manifest", out var values) ? JsonNode.Parse(values.ToString())!.AsObject() : null;
                Posted.Enqueue(new PostedManifest(request.Path, state, manifest));
                if (manifest?["redirect_url"]?.GetValue<string>() is not { } redirect || state is null)
                {
                    return new WireMock.ResponseMessage { StatusCode = 422 };
                }

                return new WireMock.ResponseMessage
                {
                    StatusCode = 302,
                    Headers = new Dictionary<string, WireMockList<string>>
                    {
                        ["Location"] = new($"{redirect}?code={Uri.EscapeDataString(CodeToSend)}&state={Uri.EscapeDataString(RedirectState(state))}"),
                    },
                };
            }));
        Server.Given(Request.Create().UsingPost().WithPath(new WildcardMatcher($"{GitHubStub.Prefix}/app-manifests/*/conversions")))
            .RespondWith(Response.Create().WithCallback(request =>
            {
                Conversions.Enqueue(request.Path);
                if (!request.Path.Equals($"{GitHubStub.Prefix}/app-manifests/{Code}/conversions", StringComparison.Ordinal))
                {
                    return Json(404, new JsonObject { ["message"] = "Not Found", ["documentation_url"] = "https://docs.github.com/rest/apps/apps#create-a-github-app-from-a-manifest", ["status"] = "404" });
                }

                // GitHub's App object (the fixture of GET /app) plus what only the conversion returns.
                var app = Fixtures.Rest("apps_get-authenticated.200").AsObject();
                app["client_secret"] = ClientSecret;
                app["webhook_secret"] = WebhookSecret;
                app["pem"] = Pem;
                return Json(201, app);
            }));
    }

    public WireMockServer Server { get; }

    /// <summary>The value for <c>--github-url</c>.</summary>
    public string Url => Server.Url!;

    /// <summary>The created App's private key, as the conversion returns it.</summary>
    public string Pem { get; }

    /// <summary>The code the redirect carries; another than <see cref="Code"/> is one GitHub no longer knows (404).</summary>
    public string CodeToSend { get; set; } = Code;

    /// <summary>The state the redirect carries, from the one posted; a test changes it to play a forged redirect.</summary>
    public Func<string, string> RedirectState { get; set; } = state => state;

    public ConcurrentQueue<PostedManifest> Posted { get; } = new();

    /// <summary>The paths of the conversion requests received.</summary>
    public ConcurrentQueue<string> Conversions { get; } = new();

    public void Dispose() => Server.Stop();

    private static WireMock.ResponseMessage Json(int status, JsonNode body) => new()
    {
        StatusCode = status,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
        BodyData = new BodyData { BodyAsString = body.ToJsonString(), DetectedBodyType = BodyType.String },
    };
}
