using Microsoft.Playwright;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>
/// One headless Chromium for a test class: Debian's package (<c>/usr/bin/chromium</c>) driven by Playwright, which cannot
/// download its own browser here. Under <c>CI=true</c> a missing Chromium fails the tests that need it (<c>.ci/run</c>
/// installs it); elsewhere they are skipped with the reason.
/// </summary>
public sealed class ChromiumFixture : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private readonly Lazy<Task<(IPlaywright Playwright, IBrowser Browser)>> _browser = new(LaunchAsync);

    /// <summary>The class's browser, started on first use; skips the calling test when Chromium is not installed and this is not CI.</summary>
    public async Task<IBrowser> BrowserAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            var reason = $"Chromium is not installed at {ExecutablePath} (apt-get install chromium)";
            if (PostgresFixture.IsCi)
            {
                throw new InvalidOperationException($"{reason}; under CI=true the browser tests must run");
            }

            Assert.Skip(reason);
        }

        return (await _browser.Value).Browser;
    }

    private static async Task<(IPlaywright, IBrowser)> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // Chromium refuses to start as root with its own sandbox on; the tests run as root in CI containers.
            Args = Environment.UserName == "root" ? ["--no-sandbox"] : [],
        });
        return (playwright, browser);
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser.IsValueCreated && _browser.Value.IsCompletedSuccessfully)
        {
            var (playwright, browser) = await _browser.Value;
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }
}
