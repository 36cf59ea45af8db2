using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Atom.Bot.Configuration;
using Atom.Bot.Ingress;
using Atom.Bot.Jobs;
using Atom.Bot.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Octokit.Webhooks;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace Atom.Bot.Benchmarks;

/// <summary>
/// Webhook acknowledgement: 2,000 signed deliveries to the running service and, in the same run, to a bare Kestrel
/// endpoint that only reads the body. Paced at 200/s for latency (p50/p99), then unpaced for throughput. With
/// <c>--postgres</c> also on PostgreSQL, one instance and two sharing the deliveries, as ratios against SQLite.
/// </summary>
public sealed class IngressBenchmark : IBenchmark
{
    private const string Secret = "benchmark-secret";

    public string Name => "ingress";

    public string Description => "2,000 signed deliveries: Atom's webhook endpoint vs a bare Kestrel endpoint (latency at 200/s, throughput); --postgres: also on PostgreSQL, one instance and two";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        Console.WriteLine($"load average at start: {BenchmarkSupport.LoadAverage()}");
        var count = BenchmarkSupport.Positional(args, 0, 2000);
        var rate = BenchmarkSupport.Positional(args, 1, 200);
        var fixtures = BenchmarkSupport.FixturesDirectory();
        var payload = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(fixtures, "webhooks", "issues", "labeled.payload.json"), cancellationToken))!;
        payload["label"]!["name"] = "atom";
        var body = payload.ToJsonString();
        await using var stores = await BenchmarkStores.StartAsync(args);

        using var github = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{BenchmarkSupport.FreePort()}"] });
        // Each delivery becomes a job, and those jobs share the two cores with the requests: GitHub answers them the way
        // it would for a labeller without write access (no .github/atom.yml, permission "read", the refusal comment
        // accepted), so every job completes with a refusal, a comment and an audit entry, instead of failing and retrying.
        github.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(404).WithBody("""{"message":"Not Found"}"""));
        github.Given(Request.Create().UsingGet().WithPath(new WildcardMatcher("/api/v3/repos/*/*/collaborators/*/permission")))
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody("""{"permission":"read","role_name":"read","user":{"login":"Codertocat","id":21031067,"type":"User"}}"""));
        github.Given(Request.Create().UsingPost().WithPath(new WildcardMatcher("/api/v3/repos/*/*/issues/*/comments")))
            .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Content-Type", "application/json")
                .WithBody("""{"id":1,"node_id":"IC_1","body":"refused","user":{"login":"atom-bot","id":1,"type":"Bot"},"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","html_url":"https://github.com/o/r/issues/1#issuecomment-1","issue_url":"https://api.github.com/repos/o/r/issues/1","url":"https://api.github.com/repos/o/r/issues/comments/1","author_association":"NONE"}"""));
        var settings = new Dictionary<string, string?>
        {
            ["ATOM_WEBHOOK_SECRET"] = Secret,
            ["ATOM_GITHUB_TOKEN"] = "benchmark-token",
            ["ATOM_GITHUB_API_URL"] = github.Url + "/",
        };

        var bareBuilder = WebApplication.CreateSlimBuilder();
        bareBuilder.Logging.ClearProviders();
        bareBuilder.WebHost.UseUrls($"http://127.0.0.1:{BenchmarkSupport.FreePort()}");
        await using var bare = bareBuilder.Build();
        bare.MapPost("/api/github/webhooks", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            return Results.Ok();
        });
        await bare.StartAsync(cancellationToken);

        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 });
        var signature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(body)));

        // Warm up so JIT and connection set-up are not measured.
        string[] bareUrls = [bare.Urls.First()];
        await Paced(client, bareUrls, body, signature, 200, 1000, cancellationToken);
        var bareLatency = await Paced(client, bareUrls, body, signature, count, rate, cancellationToken);
        var bareThroughput = await Unpaced(client, bareUrls, body, signature, count, cancellationToken);

        // Each store on a fresh service (and database); deliveries to several instances go round robin, as a proxy sends them.
        var measured = new List<(BenchmarkStore Store, Latency Latency, double Throughput, int? Connections)>();
        foreach (var store in stores.All)
        {
            var database = await stores.NewDatabaseAsync(store);
            await using var atom = await AtomInstances.StartAsync(store, database, settings, b => b.Logging.ClearProviders(), cancellationToken);
            await Paced(client, atom.Urls, body, signature, 200, 1000, cancellationToken);
            var connections = stores.WatchConnections(database);
            var latency = await Paced(client, atom.Urls, body, signature, count, rate, cancellationToken);
            var throughput = await Unpaced(client, atom.Urls, body, signature, count, cancellationToken);
            int? peak = null;
            if (connections is not null)
            {
                await connections.DisposeAsync();
                peak = connections.Peak;
            }

            measured.Add((store, latency, throughput, peak));
            Console.WriteLine($"{store.Name}:");
            await PrintJobOutcomesAsync(atom.First, cancellationToken);
            if (store.Instances == 1)
            {
                await StagesAsync(atom.First, store, body, signature, cancellationToken);
            }
        }

        Console.WriteLine();
        Console.WriteLine($"deliveries: {count} per row, paced at {rate}/s, {Environment.ProcessorCount} cores; load average now {BenchmarkSupport.LoadAverage()}");
        Console.WriteLine($"{"",-20}{"p50 ms",10}{"p99 ms",10}{"max ms",10}{"errors",8}{"unpaced/s",12}{"peak conns",12}");
        Print("bare Kestrel", bareLatency, bareThroughput, null);
        foreach (var (store, latency, throughput, connections) in measured)
        {
            Print("atom " + store.Name, latency, throughput, connections);
        }

        var sqlite = measured[0];
        Console.WriteLine($"ratio atom SQLite/bare: p50 {sqlite.Latency.P50 / bareLatency.P50:F2}x, p99 {sqlite.Latency.P99 / bareLatency.P99:F2}x, throughput {sqlite.Throughput / bareThroughput:F2}x");
        foreach (var (store, latency, throughput, _) in measured.Skip(1))
        {
            Console.WriteLine($"ratio {store.Name}/SQLite: p50 {latency.P50 / sqlite.Latency.P50:F2}x, p99 {latency.P99 / sqlite.Latency.P99:F2}x, throughput {throughput / sqlite.Throughput:F2}x");
        }

        foreach (var (store, latency, _, _) in measured)
        {
            Console.WriteLine($"goal p99 < 20 ms at {rate}/s, {store.Name}: {(latency.P99 < 20 ? "met" : "NOT met")}");
        }
    }

    /// <summary>What the background jobs made of the deliveries so far (they run while the requests are measured).</summary>
    private static async Task PrintJobOutcomesAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var connection = await services.GetRequiredService<AtomDatabase>().OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(outcome, '(not processed yet)'), COUNT(*) FROM deliveries GROUP BY 1 ORDER BY 2 DESC";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var outcomes = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            outcomes.Add($"{reader.GetInt64(1)} × {reader.GetString(0)}");
        }

        Console.WriteLine($"delivery jobs: {string.Join("; ", outcomes)}");
    }

    /// <summary>
    /// Where one acknowledgement's CPU goes: each stage of the webhook path timed in-process, sequentially, after the
    /// HTTP runs (the enqueued jobs run in the background meanwhile, as they do in production).
    /// </summary>
    private static async Task StagesAsync(IServiceProvider services, BenchmarkStore store, string body, string signature, CancellationToken cancellationToken)
    {
        const int Rounds = 300;
        var processor = services.GetRequiredService<WebhookEventProcessor>();
        var deliveries = services.GetRequiredService<DeliveryStore>();
        var scheduler = services.GetRequiredService<WorkScheduler>();
        var bytes = Encoding.UTF8.GetBytes(body);
        var headers = WebhookHeaders.Parse(new Dictionary<string, StringValues> { ["X-GitHub-Event"] = "issues", ["X-GitHub-Delivery"] = "stage" });
        var stages = new (string Name, Func<int, Task> Run)[]
        {
            ("HMAC verify (bytes)", i => { WebhookSignatureValidator.Verify(signature, Secret, bytes); return Task.CompletedTask; }),
            ("HMAC verify (string)", i => { WebhookSignatureValidator.Verify(signature, Secret, body); return Task.CompletedTask; }),
            ("UTF-8 decode", i => { _ = Encoding.UTF8.GetString(bytes); return Task.CompletedTask; }),
            ("JsonDocument parse", i => { using var d = JsonDocument.Parse(body); return Task.CompletedTask; }),
            ("typed event deserialize", i => { _ = processor.DeserializeWebhookEvent(headers, body); return Task.CompletedTask; }),
            ($"{store.Name} insert (open+insert)", i => deliveries.TryAddAsync($"stage-{i}-{Guid.NewGuid()}", "issues", "labeled", null, "o/r", body, cancellationToken)),
            ("Hangfire enqueue", i => { scheduler.Enqueue(new ProcessDelivery($"stage-missing-{i}")); return Task.CompletedTask; }),
        };
        Console.WriteLine($"stages ({Rounds} rounds each, in-process):{"",-8}{"mean us",10}{"p99 us",10}");
        foreach (var (name, run) in stages)
        {
            var times = new double[Rounds];
            for (var i = 0; i < Rounds; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                await run(i);
                times[i] = BenchmarkSupport.Milliseconds(t0, Stopwatch.GetTimestamp()) * 1000;
            }

            Array.Sort(times);
            Console.WriteLine($"  {name,-40}{times.Average(),10:F0}{BenchmarkSupport.Percentile(times, 99),10:F0}");
        }
    }

    private static void Print(string name, Latency latency, double throughput, int? connections) =>
        Console.WriteLine($"{name,-20}{latency.P50,10:F2}{latency.P99,10:F2}{latency.Max,10:F2}{latency.Errors,8}{throughput,12:F0}{connections?.ToString(CultureInfo.InvariantCulture) ?? "",12}");

    private static async Task<Latency> Paced(HttpClient client, IReadOnlyList<string> baseUrls, string body, string signature, int count, int rate, CancellationToken cancellationToken)
    {
        var latencies = new double[count];
        var errors = 0;
        var start = Stopwatch.GetTimestamp();
        var sends = new Task[count];
        for (var i = 0; i < count; i++)
        {
            var due = start + (long)(i * (double)Stopwatch.Frequency / rate);
            while (Stopwatch.GetTimestamp() < due)
            {
                var wait = BenchmarkSupport.Milliseconds(Stopwatch.GetTimestamp(), due);
                if (wait > 2)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait - 1), cancellationToken);
                }
                else
                {
                    Thread.SpinWait(50);
                }
            }

            var index = i;
            sends[i] = Task.Run(async () =>
            {
                var t0 = Stopwatch.GetTimestamp();
                var ok = await SendAsync(client, baseUrls[index % baseUrls.Count], body, signature, cancellationToken);
                latencies[index] = BenchmarkSupport.Milliseconds(t0, Stopwatch.GetTimestamp());
                if (!ok)
                {
                    Interlocked.Increment(ref errors);
                }
            }, cancellationToken);
        }

        await Task.WhenAll(sends);
        Array.Sort(latencies);
        return new Latency(BenchmarkSupport.Percentile(latencies, 50), BenchmarkSupport.Percentile(latencies, 99), latencies[^1], errors);
    }

    private static async Task<double> Unpaced(HttpClient client, IReadOnlyList<string> baseUrls, string body, string signature, int count, CancellationToken cancellationToken)
    {
        var next = -1;
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < count)
            {
                await SendAsync(client, baseUrls[index % baseUrls.Count], body, signature, cancellationToken);
            }
        }, cancellationToken)));
        return count / (BenchmarkSupport.Milliseconds(start, Stopwatch.GetTimestamp()) / 1000);
    }

    private static async Task<bool> SendAsync(HttpClient client, string baseUrl, string body, string signature, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, baseUrl + "/api/github/webhooks")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-GitHub-Event", "issues");
        request.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
        request.Headers.Add("X-Hub-Signature-256", signature);
        using var response = await client.SendAsync(request, cancellationToken);
        return response.IsSuccessStatusCode;
    }

    private sealed record Latency(double P50, double P99, double Max, int Errors);
}
