using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Atom.Bot.Configuration;
using Atom.Bot.GitHub;
using Atom.Bot.Storage;
using Atom.Bot.Tasks;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>
/// The real service on Kestrel (127.0.0.1, free port) with real SQLite and Hangfire, configured through the real
/// configuration loader; only GitHub (and the LLM) are stubs. Deliveries are signed exactly as GitHub signs them.
/// </summary>
public sealed class AtomTestHost : IAsyncDisposable
{
    public const string WebhookSecret = "test-webhook-secret-3f9a";
    public const string GitHubToken = "test-github-token-7c1e55";

    private readonly WebApplication _app;

    private AtomTestHost(WebApplication app, AtomOptions options, LogCapture logs, string dataDir, bool ownsDataDir)
    {
        _app = app;
        Options = options;
        Logs = logs;
        DataDir = dataDir;
        OwnsDataDir = ownsDataDir;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Client = new HttpClient { BaseAddress = new Uri(address) };
    }

    public AtomOptions Options { get; }

    public LogCapture Logs { get; }

    public string DataDir { get; }

    private bool OwnsDataDir { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public TaskStore Tasks => Services.GetRequiredService<TaskStore>();

    public AtomDatabase Database => Services.GetRequiredService<AtomDatabase>();

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<string>>> Databases = new(StringComparer.Ordinal);

    private static Task<string> DatabaseFor(string dataDir) =>
        Databases.GetOrAdd(dataDir, _ => new Lazy<Task<string>>(async () => await (await PostgresFixture.SharedClusterAsync()).CreateDatabaseAsync())).Value;

    /// <summary>Starts the service. Pass <paramref name="dataDir"/> to restart on an existing data directory.</summary>
    public static async Task<AtomTestHost> StartAsync(
        GitHubStub github,
        string? dataDir = null,
        IDictionary<string, string?>? environment = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        var ownsDataDir = dataDir is null;
        dataDir ??= Directory.CreateTempSubdirectory("atom-test-").FullName;
        var env = new Dictionary<string, string?>
        {
            ["ATOM_WEBHOOK_SECRET"] = WebhookSecret,
            ["ATOM_GITHUB_TOKEN"] = GitHubToken,
            ["ATOM_GITHUB_API_URL"] = github.Url,
            ["ATOM_DATA_DIR"] = dataDir,
        };
        if (PostgresFixture.FlowsOnPostgreSql)
        {
            // One database per data directory, so that a restart on the same directory finds the same state.
            env["ATOM_DATABASE"] = await DatabaseFor(dataDir);
            env["ATOM_JOB_STORAGE"] = "memory";
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            env[key] = value;
        }

        var configuration = AtomConfiguration.Load(env, dataDir, dataDir);
        if (!configuration.IsValid)
        {
            throw new InvalidOperationException(string.Join("; ", configuration.Errors));
        }

        var logs = new LogCapture();
        var app = Program.BuildService(configuration.Options!, ["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
            builder.Services.AddSingleton(new GitHubRetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(20), MaxWait = TimeSpan.FromSeconds(2) });
            configure?.Invoke(builder);
        });
        await app.StartAsync();
        return new AtomTestHost(app, configuration.Options!, logs, dataDir, ownsDataDir);
    }

    /// <summary>Sends a webhook delivery signed with the service's secret (or <paramref name="secret"/>, or unsigned when empty).</summary>
    public async Task<HttpResponseMessage> SendAsync(string @event, JsonObject payload, string? deliveryId = null, string? secret = WebhookSecret)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return await SendRawAsync(@event, payload.ToJsonString(), deliveryId, secret);
    }

    public async Task<HttpResponseMessage> SendRawAsync(string @event, string body, string? deliveryId = null, string? secret = WebhookSecret)
    {
        using var request = Delivery(@event, body, deliveryId, secret);
        return await Client.SendAsync(request);
    }

    /// <summary>A webhook delivery as GitHub sends it: its headers, and the body signed with <paramref name="secret"/> (unsigned when empty).</summary>
    public static HttpRequestMessage Delivery(string @event, string body, string? deliveryId = null, string? secret = WebhookSecret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/github/webhooks")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-GitHub-Event", @event);
        request.Headers.Add("X-GitHub-Delivery", deliveryId ?? Guid.NewGuid().ToString());
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("GitHub-Hookshot", "test"));
        if (!string.IsNullOrEmpty(secret))
        {
            request.Headers.Add("X-Hub-Signature-256", Sign(body, secret));
        }

        return request;
    }

    public static string Sign(string body, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    public async Task StopAsync() => await _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (OwnsDataDir)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(DataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
