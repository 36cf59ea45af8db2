using System.Globalization;
using Atom.Bot.Dashboard;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Platform;
using Atom.Bot.Tasks;
using Microsoft.Playwright;

namespace Atom.Bot.IntegrationTests.Dashboard;

/// <summary><c>GET /ui</c> in a real headless Chromium at a phone's size, over the real service with a certified task.</summary>
public sealed class StatusPageBrowserTests(ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    private const string Token = "browser-dashboard-token-6f3e";
    private const string HostileTitle = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>";

    [Fact]
    public async Task Status_page_on_a_phone_lists_tasks_with_links_encodes_titles_and_reloads_itself()
    {
        var browser = await chromium.BrowserAsync();
        await using var scenario = await AtomScenario.StartAsync(environment: new Dictionary<string, string?> { ["ATOM_DASHBOARD_TOKEN"] = Token });
        scenario.ReplyPlan(("Code", ["src/**"])).ReplyWrite("src/greeting.txt", "hello\n").ReplyVerdict();
        await scenario.Host.SendAsync("issues", scenario.Labeled(title: HostileTitle));
        var certified = await scenario.WaitForStateAsync(TaskState.AwaitingApproval);
        // A second task waits on the LLM in planning, so the page shows more than one state.
        using var hold = scenario.Llm.HoldReplies();
        await scenario.Host.SendAsync("issues", scenario.Labeled(issue: 2, title: "Document the greeting"));
        var planning = await scenario.WaitForStateAsync(TaskState.Planning, issue: 2);

        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true });
        var page = await context.NewPageAsync();
        var alarms = new List<string>();
        page.Dialog += (_, dialog) => alarms.Add($"dialog: {dialog.Message}");
        page.PageError += (_, error) => alarms.Add($"page error: {error}");
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                alarms.Add($"console {message.Type}: {message.Text}");
            }
        };
        var loads = 0;
        page.Load += (_, _) => Interlocked.Increment(ref loads);
        // The page's timers run on Playwright's clock, held still: the reload fires only when the test moves time on.
        await page.Clock.InstallAsync();
        await page.Clock.PauseAtAsync(DateTime.UtcNow.AddSeconds(1));

        var origin = scenario.Host.Client.BaseAddress!.ToString().TrimEnd('/');
        var opened = await page.GotoAsync($"{origin}/ui?{DashboardGate.QueryName}={Token}");

        // The token is exchanged for an HttpOnly cookie and leaves the address bar.
        opened.ShouldNotBeNull().Status.ShouldBe(200);
        opened.Request.RedirectedFrom.ShouldNotBeNull().Url.ShouldContain(Token);
        page.Url.ShouldBe($"{origin}/ui");
        var cookie = (await context.CookiesAsync()).ShouldHaveSingleItem();
        cookie.Name.ShouldBe(DashboardGate.CookieName);
        cookie.HttpOnly.ShouldBeTrue();
        cookie.Value.ShouldNotContain(Token);
        (await page.EvaluateAsync<string>("document.cookie")).ShouldBeEmpty();

        // Both tasks, their states and links; the hostile title is text, and nothing in it ran.
        var card = page.Locator($"article[data-task='{certified.Id}']");
        (await card.GetAttributeAsync("data-state")).ShouldBe("awaiting_approval");
        (await page.Locator($"article[data-task='{planning.Id}']").GetAttributeAsync("data-state")).ShouldBe("planning");
        var github = scenario.GitHub.Url.TrimEnd('/');
        (await card.Locator("a.issue").GetAttributeAsync("href")).ShouldBe($"{github}/{certified.Repository}/issues/1");
        (await card.Locator("a.pull").GetAttributeAsync("href")).ShouldBe($"{github}/{certified.Repository}/pull/{certified.PullRequest}");
        (await card.Locator("a.issue").InnerTextAsync()).ShouldBe($"#1 {HostileTitle}");
        (await card.Locator(".waiting").InnerTextAsync()).ShouldStartWith("approval: 0 valid approval(s)");
        var used = (await scenario.Host.Services.GetRequiredService<UsageStore>().ForTasksAsync([certified.Id], CancellationToken.None))[certified.Id];
        used.TokensIn.ShouldBeGreaterThan(0);
        (await card.Locator(".tokens").InnerTextAsync()).ShouldBe(string.Create(CultureInfo.InvariantCulture, $"{used.TokensIn:N0} in · {used.TokensOut:N0} out"));
        (await page.Locator("img").CountAsync()).ShouldBe(0);
        (await page.Locator("body script").CountAsync()).ShouldBe(0);
        (await page.Locator("#approvals td").First.InnerTextAsync()).ShouldBe($"{certified.Repository} #{certified.PullRequest}");

        // A phone's width: nothing scrolls sideways.
        (await page.EvaluateAsync<int>("window.innerWidth")).ShouldBe(390);
        (await page.EvaluateAsync<int>("document.documentElement.scrollWidth")).ShouldBeLessThanOrEqualTo(390);
        if (Environment.GetEnvironmentVariable("UPDATE_DOCS") == "1")
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(RepositoryRoot(), "docs", "images", "status-page.png"), FullPage = true });
        }

        // The task moves on; the open page shows it after its own reload interval, and not before.
        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(certified.PullRequest!.Value, "alice", "approved", certified.HeadSha!));
        await scenario.WaitForStateAsync(TaskState.Merged);
        var before = Volatile.Read(ref loads);
        await page.Clock.RunForAsync((long)StatusPage.Refresh.TotalMilliseconds - 1_000);
        await Task.Delay(300);
        Volatile.Read(ref loads).ShouldBe(before);
        (await card.GetAttributeAsync("data-state")).ShouldBe("awaiting_approval");
        await page.Clock.RunForAsync(1_000);
        await page.Locator($"article[data-task='{certified.Id}'][data-state='merged']").WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });
        Volatile.Read(ref loads).ShouldBeGreaterThan(before);
        page.Url.ShouldBe($"{origin}/ui");

        alarms.ShouldBeEmpty();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Atom.Bot.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Atom.Bot.sln not found above " + AppContext.BaseDirectory);
    }
}
