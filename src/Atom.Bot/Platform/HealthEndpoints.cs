using Atom.Bot.Configuration;
using Atom.Bot.Health;
using Atom.Bot.Llm;
using Atom.Bot.Storage;
using Atom.Bot.Tasks;
using Atom.Bot.Workers;
using Hangfire;

namespace Atom.Bot.Platform;

/// <summary>
/// <c>/healthz</c> (alive), <c>/readyz</c> (store and job server ready; a missing test sandbox does not make Atom unready:
/// tests then do not run and packages say so) and <c>/status</c> (JSON, with the test sandbox's mode and availability).
/// </summary>
public static class HealthEndpoints
{
    private static readonly TimeSpan HeartbeatLimit = TimeSpan.FromMinutes(1);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Text("ok"));
        endpoints.MapGet("/readyz", async (AtomDatabase database, JobStorage jobs, TimeProvider clock, CancellationToken ct) =>
        {
            var storage = await database.IsReachableAsync(ct);
            var servers = JobServersAlive(jobs, clock);
            var ready = storage && servers > 0;
            return Results.Json(new { ready, storage, job_servers = servers }, statusCode: ready ? 200 : 503);
        });
        endpoints.MapGet("/status", async (TaskStore tasks, JobStorage jobs, LlmPool llm, TestSandbox sandbox, InstanceRegistry instances, PlatformMode platform, UsageStore usage, AtomOptions options, TimeProvider clock, CancellationToken ct) =>
        {
            var counts = await tasks.CountByStateAsync(ct);
            var tests = await sandbox.CheckAsync(ct);
            var monitoring = jobs.GetMonitoringApi();
            return Results.Json(new Dictionary<string, object?>
            {
                ["instances"] = (await instances.ListLiveAsync(ct)).Select(i => new { id = i.Id, host = i.Host, startedAt = i.StartedAt, seenAt = i.SeenAt, self = i.IsThis }),
                ["tasks"] = Enum.GetValues<TaskState>().ToDictionary(s => s.ToName(), s => counts.GetValueOrDefault(s)),
                ["queues"] = monitoring.Queues().ToDictionary(q => q.Name, q => new { enqueued = q.Length, fetched = q.Fetched }),
                ["jobs"] = new { processing = monitoring.ProcessingCount(), scheduled = monitoring.ScheduledCount(), failed = monitoring.FailedCount(), succeeded = monitoring.SucceededListCount() },
                ["llm"] = llm.Snapshot(),
                ["platform"] = PlatformStatus(platform.Current, llm),
                ["usage"] = await UsageStatusAsync(usage, options.LlmPrices, clock, ct),
                ["sandbox"] = new
                {
                    mode = tests.Mode == SandboxMode.None ? "none" : "bwrap",
                    available = tests.Available,
                    @unsafe = tests.Unsandboxed,
                    reason = tests.Unsandboxed ? "ATOM_SANDBOX=none: test commands run without a sandbox, as Atom's own user" : tests.Reason,
                },
            });
        });
        return endpoints;
    }

    /// <summary>
    /// This month's stored tokens by model, from every instance (not this process's counters), and their cost where
    /// <c>ATOM_LLM_PRICES</c> has the model's price (<c>cost</c> null and the model in <c>unpriced</c> where not).
    /// </summary>
    private static async Task<object> UsageStatusAsync(UsageStore usage, LlmPrices prices, TimeProvider clock, CancellationToken ct)
    {
        var month = clock.GetUtcNow().ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        var rows = await usage.SummaryAsync(null, month, ct);
        var models = rows.GroupBy(r => r.Model).Select(g => (Model: g.Key, Requests: g.Sum(r => r.Requests), TokensIn: g.Sum(r => r.TokensIn), TokensOut: g.Sum(r => r.TokensOut))).ToList();
        var cost = UsageCost.Of(prices, models.Select(m => (m.Model, m.TokensIn, m.TokensOut)));
        return new
        {
            month,
            tokensIn = rows.Sum(r => r.TokensIn),
            tokensOut = rows.Sum(r => r.TokensOut),
            cost = cost.Amount,
            unpriced = cost.Unpriced,
            byModel = models.Select(m => new { model = m.Model, requests = m.Requests, tokensIn = m.TokensIn, tokensOut = m.TokensOut, cost = prices.Cost(m.Model, m.TokensIn, m.TokensOut) }),
        };
    }

    private static object PlatformStatus(PlatformState state, LlmPool llm) => new
    {
        mode = state.Level.ToString().ToLowerInvariant(),
        reason = state.Reason,
        since = state.Since,
        llmTimeoutSeconds = llm.AttemptTimeout.TotalSeconds,
        llmConcurrency = llm.Concurrency,
        mainModel = llm.ModelFor(LlmEndpoint.Main),
        reading = state.Reading,
    };

    private static int JobServersAlive(JobStorage jobs, TimeProvider clock)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return jobs.GetMonitoringApi().Servers().Count(s => s.Heartbeat is { } beat && now - beat < HeartbeatLimit);
    }
}
