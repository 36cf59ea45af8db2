using System.Net;
using System.Net.Http.Headers;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Tasks;

namespace Atom.Bot.IntegrationTests.Dashboard;

/// <summary><c>GET /ui</c> over plain HTTP: the gate, the headers, and what the HTML never holds.</summary>
public sealed class StatusPageTests : IDisposable
{
    private const string Token = "test-dashboard-token-91ab";
    private const string LlmKey = "test-llm-key-e4d0c7";
    private const string HostileTitle = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>";
    private readonly GitHubStub _github = new();

    public void Dispose() => _github.Dispose();

    [Fact]
    public async Task Status_page_without_a_configured_token_does_not_exist()
    {
        await using var host = await AtomTestHost.StartAsync(_github);

        (await host.Client.GetAsync("/ui")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var bearer = Get("anything");
        (await host.Client.SendAsync(bearer)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Status_page_needs_the_token_and_answers_with_strict_headers()
    {
        await using var host = await StartAsync();

        var none = await host.Client.GetAsync("/ui");
        none.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await none.Content.ReadAsStringAsync()).ShouldBeEmpty();
        using (var wrong = Get(Token + "x"))
        {
            (await host.Client.SendAsync(wrong)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using var right = Get(Token);
        var page = await host.Client.SendAsync(right);
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        page.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        var policy = page.Headers.GetValues("Content-Security-Policy").ShouldHaveSingleItem();
        policy.ShouldStartWith("default-src 'none';");
        policy.ShouldContain("frame-ancestors 'none'");
        policy.ShouldContain("script-src 'sha256-");
        policy.ShouldNotContain("unsafe-inline");
        page.Headers.GetValues("X-Content-Type-Options").ShouldHaveSingleItem().ShouldBe("nosniff");
        page.Headers.CacheControl!.NoStore.ShouldBeTrue();
        page.Headers.GetValues("Referrer-Policy").ShouldHaveSingleItem().ShouldBe("no-referrer");
        (await page.Content.ReadAsStringAsync()).ShouldContain("<meta name=\"viewport\"");
    }

    [Fact]
    public async Task Status_page_shows_a_task_with_its_links_and_encodes_what_GitHub_users_wrote_and_holds_no_secret()
    {
        await using var host = await StartAsync();
        var created = await host.Tasks.CreateAsync(
            new NewTask("octo-org/widgets", 42, null, "https://example.invalid/widgets.git", "main", 7, HostileTitle, "body", "octocat", 1), CancellationToken.None);
        created.Created.ShouldBeTrue();

        using var request = Get(Token);
        var html = await (await host.Client.SendAsync(request)).Content.ReadAsStringAsync();

        html.ShouldContain("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;");
        html.ShouldNotContain("<img");
        html.ShouldNotContain("<script>alert");
        html.ShouldContain($"href=\"{_github.Url.TrimEnd('/')}/octo-org/widgets/issues/7\"");
        html.ShouldContain("data-state=\"accepted\"");
        foreach (var secret in new[] { Token, LlmKey, AtomTestHost.WebhookSecret, AtomTestHost.GitHubToken, host.Options.Database ?? host.Options.DatabasePath })
        {
            html.ShouldNotContain(secret);
        }
    }

    private Task<AtomTestHost> StartAsync() =>
        AtomTestHost.StartAsync(_github, environment: new Dictionary<string, string?> { ["ATOM_DASHBOARD_TOKEN"] = Token, ["ATOM_LLM_API_KEY"] = LlmKey });

    private static HttpRequestMessage Get(string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/ui");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}
