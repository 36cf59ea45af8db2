using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>
/// A WireMock GitHub serving REST under <c>/api/v3/</c> (where Octokit looks for a non-github.com host), answering
/// with GitHub's own example bodies from <c>shared/fixtures/github-rest/examples</c>, adjusted per test.
/// </summary>
public sealed partial class GitHubStub : IDisposable
{
    public const string Prefix = "/api/v3";

    /// <summary>WireMock prefers the lowest priority number; the normal answers sit low so tests can override them.</summary>
    public const int DefaultPriority = 100;
    private readonly ConcurrentDictionary<string, string> _permissions = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, long?> _accounts = new(StringComparer.OrdinalIgnoreCase);
    private static readonly Guid SettingsMapping = Guid.Parse("5e771265-a70b-4e1d-9c55-0000a7017111");
    private int _nextId = 1000;

    public GitHubStub()
    {
        Server = LoopbackWireMock.Start();
        Reset();
    }

    public WireMockServer Server { get; }

    /// <summary>The value for <c>ATOM_GITHUB_API_URL</c>.</summary>
    public string Url => Server.Url! + "/";

    public string DefaultPermission { get; set; } = "admin";

    /// <summary>The login <c>GET /user</c> answers: who Atom is when it runs with a personal token.</summary>
    public const string TokenLogin = "atom-bot-user";

    /// <summary><c>X-OAuth-Scopes</c> of <c>GET /user</c> (a classic token's scopes), or null for a fine-grained token.</summary>
    public string? TokenScopes { get; set; }

    /// <summary>The slug <c>GET /app</c> answers: Atom as a GitHub App acts as <c>atom-test-app[bot]</c>.</summary>
    public const string AppSlug = "atom-test-app";

    /// <summary>Whether Atom runs as the GitHub App here: the pull requests it opens are then by <c>atom-test-app[bot]</c>.</summary>
    public bool AsApp { get; set; }

    /// <summary>Who the pull requests Atom opens are by.</summary>
    public string AtomLogin => AsApp ? $"{AppSlug}[bot]" : TokenLogin;

    public void Reset()
    {
        Server.Reset();
        _permissions.Clear();
        _accounts.Clear();
        Settings(null);
        ServePullRequests();
        ServeIssues();
        ServeApps();
        ServeGitData();
        ServeReviews();
        ServeRules();
        Server.Given(Request.Create().UsingGet().WithPath($"{Prefix}/user")).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(_ =>
            {
                var body = Fixtures.Rest("users_get-authenticated.200.response-with-public-profile-information").AsObject();
                body["login"] = TokenLogin;
                body["id"] = TestAccounts.UserId(TokenLogin);
                var response = Json(200, body);
                if (TokenScopes is { } scopes)
                {
                    // Classic tokens' scopes; GitHub sends no such header for a fine-grained token.
                    response.AddHeader("X-OAuth-Scopes", scopes);
                }

                return response;
            }));
        Server.Given(Request.Create().UsingGet().WithPath($"{Prefix}/app")).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(_ =>
            {
                var body = Fixtures.Rest("apps_get-authenticated.200").AsObject();
                body["slug"] = AppSlug;
                return Json(200, body);
            }));
        Server.Given(Request.Create().UsingGet().WithPath(new WildcardMatcher($"{Prefix}/users/*"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var login = Uri.UnescapeDataString(request.Path.Split('/')[^1]);
                if (AccountId(login) is not { } id)
                {
                    return Json(404, JsonNode.Parse("""{"message":"Not Found","documentation_url":"https://docs.github.com/rest/users/users#get-a-user","status":"404"}""")!);
                }

                // GET /users/{username} answers a public user; the authenticated user's example has the same public fields.
                var body = Fixtures.Rest("users_get-authenticated.200.response-with-public-profile-information").AsObject();
                body["login"] = login;
                body["id"] = id;
                body["type"] = "User";
                return Json(200, body);
            }));
        Server.Given(Request.Create().UsingGet().WithPath(new WildcardMatcher($"{Prefix}/repos/*/*/collaborators/*/permission"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var user = request.Path.Split('/')[^2];
                var permission = _permissions.TryGetValue(user, out var p) ? p : DefaultPermission;
                var body = Fixtures.Rest("repos_get-collaborator-permission-level.200").AsObject();
                body["permission"] = permission == "maintain" ? "write" : permission;
                body["role_name"] = permission;
                body["user"]!["login"] = user;
                body["user"]!["id"] = AccountId(user) ?? TestAccounts.UserId(user);
                return Json(200, body);
            }));
        Server.Given(Request.Create().UsingPost().WithPath(new WildcardMatcher($"{Prefix}/repos/*/*/issues/*/comments"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var body = Fixtures.Rest("issues_create-comment.201").AsObject();
                body["id"] = Interlocked.Increment(ref _nextId);
                body["body"] = JsonNode.Parse(request.Body!)!["body"]!.GetValue<string>();
                return Json(201, body);
            }));
        Server.Given(Request.Create().UsingPost().WithPath(new WildcardMatcher($"{Prefix}/repos/*/*/issues/*/reactions"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Content-Type", "application/json")
                .WithBody(Fixtures.Rest("reactions_create-for-issue.201").ToJsonString()));
        Server.Given(Request.Create().UsingPost().WithPath(new WildcardMatcher($"{Prefix}/repos/*/*/issues/comments/*/reactions"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Content-Type", "application/json")
                .WithBody(Fixtures.Rest("reactions_create-for-issue-comment.201").ToJsonString()));
    }

    /// <summary>Serves <c>.github/atom.yml</c> with this text, or answers 404 (no file: defaults) when null.</summary>
    public void Settings(string? yaml)
    {
        // One mapping, replaced on every call: a test can change the file on the default branch midway.
        var request = Request.Create().UsingGet().WithPath(new WildcardMatcher($"{Prefix}/repos/*/*/contents/.github*atom.yml"));
        if (yaml is null)
        {
            Server.Given(request).WithGuid(SettingsMapping).AtPriority(DefaultPriority - 1).RespondWith(NotFound());
            return;
        }

        var body = Fixtures.Rest("repos_get-content.200.response-if-content-is-a-file").AsObject();
        body["name"] = "atom.yml";
        body["path"] = ".github/atom.yml";
        body["size"] = Encoding.UTF8.GetByteCount(yaml);
        body["content"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(yaml));
        Server.Given(request).WithGuid(SettingsMapping).AtPriority(DefaultPriority - 2).RespondWith(Response.Create().WithStatusCode(200)
            .WithHeader("Content-Type", "application/json").WithBody(body.ToJsonString()));
    }

    public void Permission(string login, string permission) => _permissions[login] = permission;

    /// <summary>
    /// Who has <paramref name="login"/> now, by numeric id: another account after a rename and a new registration, or
    /// nobody (null: <c>/users/{login}</c> answers 404). Unset, a login is the account <see cref="TestAccounts.UserId"/> names.
    /// </summary>
    public void Account(string login, long? id) => _accounts[login] = id;

    private long? AccountId(string login) => _accounts.TryGetValue(login, out var id) ? id : TestAccounts.UserId(login);

    /// <summary>Makes the first <paramref name="times"/> calls matching the path answer <paramref name="status"/>, then the normal stub.</summary>
    public void FailFirst(string method, string pathPattern, int status, int times = 1, IDictionary<string, string>? headers = null)
    {
        var id = Guid.NewGuid();
        var remaining = times;
        var responseHeaders = new Dictionary<string, WireMock.Types.WireMockList<string>> { ["Content-Type"] = new("application/json") };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            responseHeaders[name] = new(value);
        }

        // The response callback runs once per request: after the last failure the mapping removes itself.
        Server.Given(Request.Create().UsingMethod(method).WithPath(new WildcardMatcher(Prefix + pathPattern)))
            .WithGuid(id)
            .AtPriority(1)
            .RespondWith(Response.Create().WithCallback(_ =>
            {
                if (Interlocked.Decrement(ref remaining) <= 0)
                {
                    Server.DeleteMapping(id);
                }

                return new WireMock.ResponseMessage
                {
                    StatusCode = status,
                    Headers = responseHeaders,
                    BodyData = new WireMock.Util.BodyData
                    {
                        BodyAsString = $$"""{"message":"{{(HttpStatusCode)status}}","documentation_url":"https://docs.github.com/rest"}""",
                        DetectedBodyType = WireMock.Types.BodyType.String,
                    },
                };
            }));
    }

    /// <summary>Every request whose method and path (wildcards allowed, without the /api/v3 prefix) match.</summary>
    public IReadOnlyList<RecordedRequest> Requests(string method, string pathPattern)
    {
        var matcher = new WildcardMatcher(Prefix + pathPattern);
        return AllRequests()
            .Where(r => string.Equals(r.Method, method, StringComparison.OrdinalIgnoreCase) && matcher.IsMatch(r.Path).IsPerfect())
            .ToList();
    }

    public IReadOnlyList<RecordedRequest> AllRequests() =>
        Server.LogEntries
            .Select(e => new RecordedRequest(e.RequestMessage!.Method, e.RequestMessage.Path, e.RequestMessage.Body, StatusOf(e.ResponseMessage?.StatusCode)))
            .ToList();

    private static int StatusOf(object? status) => status switch
    {
        int i => i,
        HttpStatusCode c => (int)c,
        string s when int.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out var n) => n,
        _ => 0,
    };

    /// <summary>Comment bodies that GitHub accepted (201) on the given issue or PR number.</summary>
    public IReadOnlyList<string> Comments(int number) =>
        Requests("POST", $"/repos/*/*/issues/{number}/comments").Where(r => r.Status == 201)
            .Select(r => JsonNode.Parse(r.Body!)!["body"]!.GetValue<string>()).ToList();

    public void Dispose() => Server.Stop();

    private static IResponseBuilder NotFound() => Response.Create().WithStatusCode(404).WithHeader("Content-Type", "application/json")
        .WithBody("""{"message":"Not Found","documentation_url":"https://docs.github.com/rest/repos/contents#get-repository-content","status":"404"}""");

    private static WireMock.ResponseMessage Json(int status, JsonNode body) => new()
    {
        StatusCode = status,
        Headers = new Dictionary<string, WireMock.Types.WireMockList<string>> { ["Content-Type"] = new("application/json") },
        BodyData = new WireMock.Util.BodyData { BodyAsString = body.ToJsonString(), DetectedBodyType = WireMock.Types.BodyType.String },
    };
}

public sealed record RecordedRequest(string Method, string Path, string? Body, int Status);
