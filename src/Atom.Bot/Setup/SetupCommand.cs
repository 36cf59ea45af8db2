using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Atom.Bot.Setup;

/// <summary>
/// <c>atom setup</c>: makes Atom's GitHub App from a manifest. A page on 127.0.0.1 posts the manifest to GitHub; GitHub's
/// redirect brings back a code (and the state this run chose), which is exchanged for the App's id, private key and
/// webhook secret; those go into <c>&lt;slug&gt;.private-key.pem</c> and <c>atom.env</c> (both 0600), never to the terminal.
/// Needs no configuration: it makes it.
/// </summary>
public static class SetupCommand
{
    public const string EnvFileName = "atom.env";

    public static async Task<int> RunAsync(string[] args, string currentDirectory, TextWriter output, TextWriter error, Action<Uri>? listening, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var (arguments, problem) = SetupArguments.Parse(args, currentDirectory);
        if (arguments is null)
        {
            await error.WriteLineAsync($"atom setup: {problem}\n{SetupArguments.Usage}".AsMemory(), cancellationToken);
            return 2;
        }

        var envPath = Path.Combine(arguments.OutputDirectory, EnvFileName);
        if (File.Exists(envPath) || Directory.Exists(envPath))
        {
            await error.WriteLineAsync($"atom setup: {envPath} exists and is not overwritten: move it away, or choose another directory with --out".AsMemory(), cancellationToken);
            return 2;
        }

        // The next command is shown the way it is typed here: relative when the file is in this directory.
        var envShown = arguments.OutputDirectory == Path.GetFullPath(currentDirectory) ? $"./{EnvFileName}" : EnvFile.Quote(envPath);
        var expectedState = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var outcome = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = typeof(SetupCommand).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, arguments.Port));
        await using var app = builder.Build();
        Uri? origin = null;
        var claimed = 0;

        app.Use(async (context, next) =>
        {
            // Only this machine's own address: a page elsewhere that rebinds its name to 127.0.0.1 cannot read the state.
            if (origin is null || !string.Equals(context.Request.Host.Value, origin.Authority, StringComparison.OrdinalIgnoreCase))
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.Response.WriteAsync($"open {origin} (this address only)", context.RequestAborted);
                return;
            }

            context.Response.Headers.ContentSecurityPolicy = SetupPage.ContentSecurityPolicy;
            context.Response.Headers.CacheControl = "no-store";
            context.Response.Headers.XContentTypeOptions = "nosniff";
            await next(context);
        });
        app.MapGet("/", () => Html(StatusCodes.Status200OK, SetupPage.Start(arguments, AppManifest.Build(arguments.Name, arguments.WebhookUrl, new Uri(origin!, "callback")), expectedState)));
        app.MapGet("/callback", async (string? code, string? state) =>
        {
            if (state is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(state), Encoding.UTF8.GetBytes(expectedState)))
            {
                await error.WriteLineAsync("atom setup: refused a redirect whose state is not this run's (a stale tab, or a forged request); still waiting".AsMemory(), cancellationToken);
                return Html(StatusCodes.Status400BadRequest, SetupPage.Refused("This answer does not belong to the setup running in the terminal: its state does not match."));
            }

            if (string.IsNullOrEmpty(code))
            {
                return Html(StatusCodes.Status400BadRequest, SetupPage.Refused("GitHub's redirect carries no code."));
            }

            // One exchange per run: a reload or a second tab must not make a second attempt with the same code.
            if (Interlocked.Exchange(ref claimed, 1) == 1)
            {
                return Html(StatusCodes.Status409Conflict, SetupPage.Refused("This setup has already taken GitHub's answer."));
            }

            var (exit, page) = await FinishAsync(arguments, envPath, envShown, http, code, output, error, cancellationToken);
            outcome.TrySetResult(exit);
            return page;
        });

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            await error.WriteLineAsync($"atom setup: cannot listen on 127.0.0.1:{arguments.Port}: {e.Message.TrimEnd('.')}; choose another --port, or leave it out for a free one".AsMemory(), cancellationToken);
            return 2;
        }

        var address = app.Urls.First();
        origin = new Uri(address.TrimEnd('/') + "/");
        await output.WriteLineAsync($"""
            atom setup: open {origin} in a browser signed in to {arguments.Site.Web} and press the button.
              The App: {arguments.Name}, webhook {arguments.WebhookUrl}, owned by {arguments.Organization ?? "your account"}.
              Waiting for GitHub to send the browser back (Ctrl+C stops).
            """.AsMemory(), cancellationToken);
        listening?.Invoke(origin);

        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, app.Lifetime.ApplicationStopping);
        int result;
        try
        {
            result = await outcome.Task.WaitAsync(stopping.Token);
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("atom setup: stopped before GitHub's answer arrived; nothing was written".AsMemory(), CancellationToken.None);
            result = 130;
        }

        // Stopping waits for the callback's page to reach the browser.
        await app.StopAsync(CancellationToken.None);
        return result;
    }

    private static async Task<(int Exit, IResult Page)> FinishAsync(SetupArguments arguments, string envPath, string envShown, HttpClient http, string code, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var conversion = await ManifestConversion.ExchangeAsync(http, arguments.Site, code, cancellationToken);
        if (conversion.App is not { } app)
        {
            await error.WriteLineAsync($"atom setup: {conversion.Error}".AsMemory(), cancellationToken);
            return (1, Html(StatusCodes.Status502BadGateway, SetupPage.Failed(conversion.Error!)));
        }

        var keyPath = Path.Combine(arguments.OutputDirectory, $"{app.Slug}.private-key.pem");
        if (!await PrivateFile.TryCreateAsync(keyPath, app.Pem, cancellationToken))
        {
            var lost = $"{keyPath} exists and is not overwritten, so the new App's key and webhook secret were not saved. The App exists: {app.HtmlUrl}. Delete it there, move the file away and run atom setup again (or generate a private key and a webhook secret in the App's settings)";
            await error.WriteLineAsync($"atom setup: {lost}".AsMemory(), cancellationToken);
            return (1, Html(StatusCodes.Status500InternalServerError, SetupPage.Failed(lost)));
        }

        var settings = new List<KeyValuePair<string, string>>
        {
            new("ATOM_GITHUB_APP_ID", app.Id.ToString(CultureInfo.InvariantCulture)),
            new("ATOM_GITHUB_APP_PRIVATE_KEY_PATH", keyPath),
            new("ATOM_WEBHOOK_SECRET", app.WebhookSecret),
            new("ATOM_DASHBOARD_TOKEN", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))),
        };
        if (!arguments.Site.IsGitHubCom)
        {
            settings.Add(new("ATOM_GITHUB_API_URL", arguments.Site.Api.ToString()));
        }

        var comment = $"Written by `atom setup` for the GitHub App {app.Slug} ({app.HtmlUrl}), webhook {arguments.WebhookUrl}.\nSecrets: keep this file (0600) and the key next to it private.";
        if (!await PrivateFile.TryCreateAsync(envPath, EnvFile.Format(comment, settings), cancellationToken))
        {
            var lost = $"{envPath} appeared while setup ran and is not overwritten; the App's key is in {keyPath}, but its webhook secret was not saved: set a new one in the App's settings ({app.HtmlUrl})";
            await error.WriteLineAsync($"atom setup: {lost}".AsMemory(), cancellationToken);
            return (1, Html(StatusCodes.Status500InternalServerError, SetupPage.Failed(lost)));
        }

        await output.WriteLineAsync($"""
            atom setup: created the GitHub App {app.Name} (id {app.Id}): {app.HtmlUrl}
              wrote {keyPath} (the private key, 0600)
              wrote {envPath} (ATOM_GITHUB_APP_ID, ATOM_GITHUB_APP_PRIVATE_KEY_PATH, ATOM_WEBHOOK_SECRET, ATOM_DASHBOARD_TOKEN{(arguments.Site.IsGitHubCom ? "" : ", ATOM_GITHUB_API_URL")}; 0600)
            Next:
              1. install the App on the repositories Atom may work on: {app.InstallUrl}
              2. check everything:  set -a; . {envShown}; set +a; atom doctor
              3. run it:            atom serve   (with the same environment, an LLM endpoint set; README "Run it")
            """.AsMemory(), cancellationToken);
        return (0, Html(StatusCodes.Status200OK, SetupPage.Done(app)));
    }

    private static IResult Html(int status, string page) => Results.Content(page, "text/html; charset=utf-8", Encoding.UTF8, status);
}
