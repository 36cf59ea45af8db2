using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Atom.Bot.GitHub;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Setup;
using Microsoft.Playwright;

namespace Atom.Bot.IntegrationTests.Setup;

/// <summary>
/// <c>atom setup</c> in-process against a WireMock GitHub (Enterprise-shaped) playing the manifest flow, its page driven
/// in headless Chromium: the button posts the manifest, GitHub's redirect brings the code back, the code is exchanged.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class SetupCommandTests(ChromiumFixture chromium) : IClassFixture<ChromiumFixture>, IDisposable
{
    private const string WebhookBase = "https://atom.example.com";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly ManifestFlowStub _github = new();
    private readonly DirectoryInfo _out = Directory.CreateTempSubdirectory("atom-setup-");
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();
    private readonly CancellationTokenSource _stop = new();

    [Fact]
    public async Task Button_to_GitHub_and_back_writes_the_key_and_env_file_0600_and_prints_the_install_link_and_no_secret()
    {
        var (run, page) = await StartAndPressAsync();

        (await Outcome(page)).ShouldBe("done");
        var pageText = await page.ContentAsync();
        (await run.WaitAsync(Patience)).ShouldBe(0, $"{_output}\n{_error}");

        // The manifest GitHub received: Atom's webhook, a private App, exactly the permissions and events Atom uses.
        var posted = _github.Posted.ShouldHaveSingleItem();
        posted.Path.ShouldBe("/settings/apps/new");
        posted.State.ShouldNotBeNull().ShouldMatch("^[0-9a-f]{64}$");
        var manifest = posted.Manifest.ShouldNotBeNull();
        manifest["hook_attributes"]!["url"]!.GetValue<string>().ShouldBe($"{WebhookBase}/api/github/webhooks");
        manifest["hook_attributes"]!["active"]!.GetValue<bool>().ShouldBeTrue();
        manifest["url"]!.GetValue<string>().ShouldBe($"{WebhookBase}/");
        manifest["public"]!.GetValue<bool>().ShouldBeFalse();
        manifest["name"]!.GetValue<string>().ShouldMatch("^atom-[0-9a-f]{6}$");
        var redirect = new Uri(manifest["redirect_url"]!.GetValue<string>());
        redirect.Host.ShouldBe("127.0.0.1");
        redirect.AbsolutePath.ShouldBe("/callback");
        manifest["default_permissions"]!.AsObject().Select(p => $"{p.Key}:{p.Value}").ShouldBe(
            ["checks:write", "contents:write", "issues:write", "metadata:read", "pull_requests:write", "statuses:write"], ignoreOrder: true);
        manifest["default_events"]!.AsArray().Select(e => e!.GetValue<string>()).ShouldBe(
            ["issues", "issue_comment", "pull_request", "pull_request_review", "pull_request_review_comment", "check_suite", "check_run", "status"], ignoreOrder: true);
        _github.Conversions.ShouldBe([$"{GitHubStub.Prefix}/app-manifests/{ManifestFlowStub.Code}/conversions"]);

        // The files: the key as GitHub gave it, the settings Atom reads, both for the owner only.
        var keyPath = Path.Combine(_out.FullName, "octoapp.private-key.pem");
        var envPath = Path.Combine(_out.FullName, "atom.env");
        (await File.ReadAllTextAsync(keyPath)).ShouldBe(_github.Pem);
        File.GetUnixFileMode(keyPath).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(envPath).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var settings = (await File.ReadAllLinesAsync(envPath)).Where(l => !l.StartsWith('#')).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        settings.Keys.ShouldBe(["ATOM_GITHUB_APP_ID", "ATOM_GITHUB_APP_PRIVATE_KEY_PATH", "ATOM_WEBHOOK_SECRET", "ATOM_DASHBOARD_TOKEN", "ATOM_GITHUB_API_URL"]);
        settings["ATOM_GITHUB_APP_ID"].ShouldBe("1");
        settings["ATOM_GITHUB_APP_PRIVATE_KEY_PATH"].ShouldBe(keyPath);
        settings["ATOM_WEBHOOK_SECRET"].ShouldBe(ManifestFlowStub.WebhookSecret);
        settings["ATOM_DASHBOARD_TOKEN"].ShouldMatch("^[0-9a-f]{64}$");
        settings["ATOM_GITHUB_API_URL"].ShouldBe($"{_github.Url}/api/v3/");

        // The terminal: the App, the install link, the next command; nothing secret there or on the page.
        var printed = $"{_output}\n{_error}";
        printed.ShouldContain("https://github.com/apps/octoapp/installations/new");
        printed.ShouldContain("set -a; . ./atom.env; set +a; atom doctor");
        printed.ShouldContain("atom serve");
        foreach (var secret in new[] { ManifestFlowStub.WebhookSecret, ManifestFlowStub.ClientSecret, settings["ATOM_DASHBOARD_TOKEN"], PemBody(_github.Pem) })
        {
            printed.ShouldNotContain(secret);
            pageText.ShouldNotContain(secret);
        }

        pageText.ShouldContain("Return to the terminal");
    }

    [Fact]
    public async Task Redirect_with_another_state_is_refused_and_nothing_is_exchanged()
    {
        _github.RedirectState = state => new string([.. state.Reverse()]);
        var (run, page) = await StartAndPressAsync();

        (await Outcome(page)).ShouldBe("refused");
        (await page.ContentAsync()).ShouldContain("state does not match");
        _error.ToString().ShouldContain("refused a redirect whose state is not this run's");
        _github.Conversions.ShouldBeEmpty();

        // Only requests addressed to 127.0.0.1:<port> are answered: a rebound name cannot read the page and its state.
        using (var http = new HttpClient())
        using (var rebound = new HttpRequestMessage(HttpMethod.Get, new Uri(page.Url).GetLeftPart(UriPartial.Authority) + "/"))
        {
            rebound.Headers.Host = "attacker.example";
            using var answer = await http.SendAsync(rebound);
            answer.StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
            (await answer.Content.ReadAsStringAsync()).ShouldNotContain("manifest");
        }

        // A forged redirect does not end the run: it still waits for the real one, until stopped.
        run.IsCompleted.ShouldBeFalse();
        await _stop.CancelAsync();
        (await run.WaitAsync(Patience)).ShouldBe(130);
        _out.GetFiles().ShouldBeEmpty();
    }

    [Fact]
    public async Task Expired_code_exits_non_zero_with_a_clear_message_and_writes_nothing()
    {
        _github.CodeToSend = "expired-code";
        var (run, page) = await StartAndPressAsync("--org", "octo-org");

        (await Outcome(page)).ShouldBe("failed");
        (await run.WaitAsync(Patience)).ShouldBe(1);
        _github.Posted.ShouldHaveSingleItem().Path.ShouldBe("/organizations/octo-org/settings/apps/new");
        _github.Conversions.ShouldBe([$"{GitHubStub.Prefix}/app-manifests/expired-code/conversions"]);
        _error.ToString().ShouldContain("GitHub does not know the code (404: Not Found): it was used already or expired (a code lasts one hour)");
        _out.GetFiles().ShouldBeEmpty();
    }

    [Fact]
    public async Task Existing_env_file_is_not_overwritten_and_nothing_is_served()
    {
        var envPath = Path.Combine(_out.FullName, "atom.env");
        await File.WriteAllTextAsync(envPath, "ATOM_WEBHOOK_SECRET=keep-me\n");
        var served = false;

        var exit = await SetupCommand.RunAsync(Arguments(), _out.FullName, _output, _error, _ => served = true, _stop.Token);

        exit.ShouldBe(2);
        served.ShouldBeFalse();
        _error.ToString().ShouldContain($"{envPath} exists and is not overwritten");
        (await File.ReadAllTextAsync(envPath)).ShouldBe("ATOM_WEBHOOK_SECRET=keep-me\n");
    }

    [Fact]
    public async Task Existing_key_file_is_not_overwritten_and_the_run_says_where_the_app_is()
    {
        var keyPath = Path.Combine(_out.FullName, "octoapp.private-key.pem");
        await File.WriteAllTextAsync(keyPath, "an older key\n");
        var (run, page) = await StartAndPressAsync();

        (await Outcome(page)).ShouldBe("failed");
        (await run.WaitAsync(Patience)).ShouldBe(1);
        (await File.ReadAllTextAsync(keyPath)).ShouldBe("an older key\n");
        File.Exists(Path.Combine(_out.FullName, "atom.env")).ShouldBeFalse();
        _error.ToString().ShouldContain($"{keyPath} exists and is not overwritten");
        _error.ToString().ShouldContain("https://github.com/apps/octoapp");
        _error.ToString().ShouldNotContain(ManifestFlowStub.WebhookSecret);
    }

    [Fact]
    public async Task Port_in_use_is_a_clear_error()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var exit = await SetupCommand.RunAsync(Arguments("--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)), _out.FullName, _output, _error, null, _stop.Token);

        exit.ShouldBe(2);
        _error.ToString().ShouldContain($"cannot listen on 127.0.0.1:{port}");
    }

    private string[] Arguments(params string[] more) => ["--github-url", _github.Url, "--webhook-url", WebhookBase, "--out", _out.FullName, .. more];

    /// <summary>Starts <c>atom setup</c>, opens its page in Chromium and presses the button; GitHub's stub sends the browser back.</summary>
    private async Task<(Task<int> Run, IPage Page)> StartAndPressAsync(params string[] more)
    {
        var browser = await chromium.BrowserAsync();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = SetupCommand.RunAsync(Arguments(more), _out.FullName, _output, _error, listening.SetResult, _stop.Token);
        var origin = await listening.Task.WaitAsync(Patience);
        var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        (await page.GotoAsync(origin.ToString())).ShouldNotBeNull().Status.ShouldBe(200);
        await page.ClickAsync("#create");
        await page.WaitForSelectorAsync("#outcome", new PageWaitForSelectorOptions { Timeout = (float)Patience.TotalMilliseconds });
        return (run, page);
    }

    private static async Task<string?> Outcome(IPage page) => await page.Locator("#outcome").GetAttributeAsync("data-outcome");

    private static string PemBody(string pem) => WhitespaceOrArmor().Replace(pem, "")[..64];

    [GeneratedRegex(@"-----[A-Z ]+-----|\s")]
    private static partial Regex WhitespaceOrArmor();

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        _github.Dispose();
        _output.Dispose();
        _error.Dispose();
        _out.Delete(recursive: true);
    }
}
