using System.Net;
using System.Net.Http.Headers;
using Atom.Bot.Dashboard;
using Atom.Bot.IntegrationTests.Support;

namespace Atom.Bot.IntegrationTests.Dashboard;

// The test client connects from 127.0.0.1: every request here is a loopback request, which used to be let in.
public sealed class DashboardGateTests : IDisposable
{
    private const string Token = "test-dashboard-token-5d2c";
    private readonly GitHubStub _github = new();

    public void Dispose() => _github.Dispose();

    [Fact]
    public async Task Dashboard_without_a_configured_token_does_not_exist_even_from_loopback()
    {
        await using var host = await AtomTestHost.StartAsync(_github);

        (await host.Client.GetAsync("/jobs")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await host.Client.GetAsync("/jobs/stats")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var bearer = Get("/jobs", "anything");
        (await host.Client.SendAsync(bearer)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await host.Client.GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Dashboard_from_loopback_needs_the_token_as_bearer_header_or_cookie()
    {
        await using var host = await AtomTestHost.StartAsync(_github, environment: new Dictionary<string, string?> { ["ATOM_DASHBOARD_TOKEN"] = Token });

        var none = await host.Client.GetAsync("/jobs");
        none.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        none.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer");
        (await host.Client.GetAsync("/jobs/recurring")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using (var wrong = Get("/jobs", Token + "x"))
        {
            (await host.Client.SendAsync(wrong)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        (await host.Client.GetAsync($"/jobs?{DashboardGate.QueryName}=wrong")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using (var forged = new HttpRequestMessage(HttpMethod.Get, "/jobs"))
        {
            forged.Headers.Add("Cookie", $"{DashboardGate.CookieName}={Token}");
            (await host.Client.SendAsync(forged)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using (var right = Get("/jobs", Token))
        {
            var page = await host.Client.SendAsync(right);
            page.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await page.Content.ReadAsStringAsync()).ShouldContain("Hangfire");
        }

        // A browser: the token once in the query sets an HttpOnly, SameSite=Strict cookie and redirects without it.
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = host.Client.BaseAddress };
        var login = await browser.GetAsync($"/jobs/servers?{DashboardGate.QueryName}={Token}");
        login.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        login.Headers.Location!.ToString().ShouldBe("/jobs/servers");
        var cookie = login.Headers.GetValues("Set-Cookie").ShouldHaveSingleItem();
        cookie.ShouldContain("httponly", Case.Insensitive);
        cookie.ShouldContain("samesite=strict", Case.Insensitive);
        cookie.ShouldNotContain(Token);
        var servers = await browser.GetAsync("/jobs/servers");
        servers.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await servers.Content.ReadAsStringAsync()).ShouldContain("Hangfire");
    }

    private static HttpRequestMessage Get(string path, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}
