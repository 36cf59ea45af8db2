using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>
/// GitHub App installation tokens as GitHub issues them (<c>POST /app/installations/{id}/access_tokens</c>): an App JWT
/// is required, a requested permission the installation lacks is refused with 422, and the token is limited to the
/// repositories and permissions asked for. <see cref="RequestsBeyondTheirToken"/> then checks every REST call against
/// the token it was made with, as GitHub would ("Resource not accessible by integration").
/// </summary>
public sealed partial class GitHubStub
{
    /// <summary>The repository of the webhook fixtures (<c>Codertocat/Hello-World</c>).</summary>
    public const long FixtureRepositoryId = 186853002;

    private static readonly (string Method, Regex Path, string Permission, string Level)[] RequiredPermissions =
    [
        ("GET", Route("/contents/.+"), "contents", "read"),
        ("GET", Route("/collaborators/[^/]+/permission"), "metadata", "read"),
        ("POST", Route("/issues"), "issues", "write"),
        ("PATCH", Route(@"/issues/\d+"), "issues", "write"),
        ("POST", Route(@"/issues/\d+/comments"), "issues", "write"),
        ("POST", Route(@"/issues/\d+/reactions"), "issues", "write"),
        ("POST", Route(@"/issues/comments/\d+/reactions"), "issues", "write"),
        ("POST", Route(@"/issues/\d+/labels"), "issues", "write"),
        ("DELETE", Route(@"/issues/\d+/labels/[^/]+"), "issues", "write"),
        ("GET", Route(@"/pulls(/\d+)?"), "pull_requests", "read"),
        ("POST", Route("/pulls"), "pull_requests", "write"),
        ("PATCH", Route(@"/pulls/\d+"), "pull_requests", "write"),
        ("PUT", Route(@"/pulls/\d+/merge"), "contents", "write"),
        ("POST", Route("/check-runs"), "checks", "write"),
        ("POST", Route("/statuses/[0-9a-f]{40}"), "statuses", "write"),
        ("DELETE", Route("/git/refs/.+"), "contents", "write"),
        ("POST", Route("/git/(blobs|trees|commits|refs)"), "contents", "write"),
        ("PATCH", Route("/git/refs/.+"), "contents", "write"),
        ("GET", Route("/rules/branches/[^/]+"), "metadata", "read"),
        ("GET", Route("/branches/[^/]+/protection"), "administration", "read"),
        ("GET", Route("/commits/[0-9a-f]{40}/check-runs"), "checks", "read"),
        ("GET", Route("/commits/[0-9a-f]{40}/status"), "statuses", "read"),
        ("GET", Route(@"/pulls/\d+/reviews"), "pull_requests", "read"),
    ];

    private readonly ConcurrentDictionary<string, IssuedToken> _issuedTokens = new(StringComparer.Ordinal);
    private int _nextToken;

    /// <summary>What the App may do on the installation (GitHub: the App's permissions the owner accepted). Default: what Atom needs.</summary>
    public Dictionary<string, string> InstallationPermissions { get; } = [];

    /// <summary>The id of the App's one installation that <c>GET /app/installations</c> lists.</summary>
    public const long AppInstallationId = 4242;

    /// <summary>The events the App's installation is subscribed to, as <c>GET /app/installations</c> lists them.</summary>
    public List<string> InstallationEvents { get; } = [];

    /// <summary>Repository full names by id, for checking a token's repositories against the path a call names.</summary>
    public Dictionary<string, long> RepositoryIds { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every installation token issued, in order.</summary>
    public IReadOnlyList<IssuedToken> IssuedTokens => _issuedTokens.Values.OrderBy(t => t.Sequence).ToList();

    /// <summary>The bodies of every access-token request, answered or refused.</summary>
    public IReadOnlyList<JsonObject> AccessTokenRequests() =>
        Requests("POST", "/app/installations/*/access_tokens").Select(r => JsonNode.Parse(r.Body ?? "{}")!.AsObject()).ToList();

    /// <summary>
    /// REST calls made with an installation token that does not cover them: a repository the token was not issued for,
    /// or a permission (at the level) GitHub requires for that endpoint and the token lacks. Empty when all is well.
    /// </summary>
    public IReadOnlyList<string> RequestsBeyondTheirToken()
    {
        var problems = new List<string>();
        foreach (var (request, issued) in RequestsWithInstallationTokens())
        {
            var call = $"{request.Method} {request.Path}";
            var parts = request.Path[Prefix.Length..].Split('/');
            if (parts is [_, "repos", var owner, var name, ..] && RepositoryIds.TryGetValue($"{owner}/{name}", out var id) && !issued.RepositoryIds.Contains(id))
            {
                problems.Add($"{call}: token #{issued.Sequence} is for repositories [{string.Join(", ", issued.RepositoryIds)}], not {owner}/{name} ({id})");
            }

            foreach (var (method, path, permission, level) in RequiredPermissions)
            {
                if (string.Equals(method, request.Method, StringComparison.OrdinalIgnoreCase) && path.IsMatch(request.Path)
                    && !Covers(issued.Permissions.GetValueOrDefault(permission), level))
                {
                    problems.Add($"{call}: needs {permission}:{level}, token #{issued.Sequence} has {string.Join(", ", issued.Permissions.Select(p => $"{p.Key}:{p.Value}"))}");
                }
            }
        }

        return problems;
    }

    /// <summary>Every request made with an installation token this stub issued, with that token.</summary>
    public IReadOnlyList<(WireMock.IRequestMessage Request, IssuedToken Token)> RequestsWithInstallationTokens()
    {
        var found = new List<(WireMock.IRequestMessage, IssuedToken)>();
        foreach (var entry in Server.LogEntries)
        {
            var request = entry.RequestMessage!;
            var authorization = request.Headers?.TryGetValue("Authorization", out var values) == true ? values.ToString() : "";
            if (authorization.Split(' ', 2) is [_, var token] && _issuedTokens.TryGetValue(token, out var issued))
            {
                found.Add((request, issued));
            }
        }

        return found;
    }

    private static Regex Route(string rest) => new($"^{Prefix}/repos/[^/]+/[^/]+{rest}$", RegexOptions.CultureInvariant);

    private static bool Covers(string? granted, string wanted) => granted == "write" || (granted == "read" && wanted == "read");

    private void ServeApps()
    {
        _issuedTokens.Clear();
        InstallationPermissions.Clear();
        foreach (var (permission, level) in new[] { ("checks", "write"), ("contents", "write"), ("issues", "write"), ("metadata", "read"), ("pull_requests", "write"), ("statuses", "write") })
        {
            InstallationPermissions[permission] = level;
        }

        RepositoryIds.Clear();
        RepositoryIds["Codertocat/Hello-World"] = FixtureRepositoryId;
        InstallationEvents.Clear();
        InstallationEvents.AddRange(["issues", "issue_comment", "pull_request", "pull_request_review", "pull_request_review_comment", "check_run", "check_suite", "status"]);
        Server.Given(Request.Create().UsingGet().WithPath($"{Prefix}/app/installations")).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var authorization = request.Headers?.TryGetValue("Authorization", out var values) == true ? values.ToString() : "";
                if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal) || authorization["Bearer ".Length..].Split('.').Length != 3)
                {
                    return Json(401, Error("A JSON web token could not be decoded", "apps/apps#list-installations-for-the-authenticated-app", 401));
                }

                // Each element is an installation, as GET /repos/{owner}/{repo}/installation answers one.
                var installation = Fixtures.Rest("apps_get-repo-installation.200").AsObject();
                installation["id"] = AppInstallationId;
                installation["app_slug"] = AppSlug;
                installation["permissions"] = new JsonObject(InstallationPermissions.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value))));
                installation["events"] = new JsonArray(InstallationEvents.Select(e => (JsonNode?)JsonValue.Create(e)).ToArray());
                installation["suspended_at"] = null;
                return Json(200, new JsonArray(installation));
            }));
        Server.Given(Request.Create().UsingPost().WithPath(new WildcardMatcher($"{Prefix}/app/installations/*/access_tokens"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                // Only the App itself, with its JWT (three dot-separated parts), may ask.
                var authorization = request.Headers?.TryGetValue("Authorization", out var values) == true ? values.ToString() : "";
                if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal) || authorization["Bearer ".Length..].Split('.').Length != 3)
                {
                    return Json(401, Error("A JSON web token could not be decoded", "apps/apps#create-an-installation-access-token-for-an-app", 401));
                }

                var sent = JsonNode.Parse(string.IsNullOrEmpty(request.Body) ? "{}" : request.Body)!.AsObject();
                var requested = sent["permissions"]?.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()) ?? new Dictionary<string, string>(InstallationPermissions);
                if (requested.Any(p => !Covers(InstallationPermissions.GetValueOrDefault(p.Key), p.Value)))
                {
                    return Json(422, Error("The permissions requested are not granted to this installation.", "apps/apps#create-an-installation-access-token-for-an-app", 422));
                }

                var repositoryIds = sent["repository_ids"]?.AsArray().Select(i => i!.GetValue<long>()).ToList() ?? [];
                var sequence = Interlocked.Increment(ref _nextToken);
                var issued = new IssuedToken(sequence, $"ghs_stubInstallationToken{sequence:D4}", repositoryIds, requested);
                _issuedTokens[issued.Token] = issued;
                var body = Fixtures.Rest("apps_create-installation-access-token.201").AsObject();
                body["token"] = issued.Token;
                body["expires_at"] = DateTimeOffset.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
                body["permissions"] = new JsonObject(requested.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value))));
                var template = body["repositories"]![0]!.DeepClone().AsObject();
                body["repositories"] = new JsonArray(repositoryIds.Select(id =>
                {
                    var repository = template.DeepClone().AsObject();
                    repository["id"] = id;
                    return (JsonNode)repository;
                }).ToArray());
                return Json(201, body);
            }));
    }
}
