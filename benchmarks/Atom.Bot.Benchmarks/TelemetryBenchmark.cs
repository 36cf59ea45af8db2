using System.Diagnostics;
using System.Diagnostics.Metrics;
using Atom.Bot.IntegrationTests.Support;
using Microsoft.AspNetCore.Builder;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Atom.Bot.Benchmarks;

/// <summary>
/// What tracing and metrics cost (issue 16, goal under 5 %), on the orchestration benchmark's path: labelled issue →
/// pull request with an instant LLM and <c>true</c> as test command. Off: no span sampled and every metric stream
/// dropped (what is left is the in-process reader /status uses, which is always on). On: as shipped, with the OTLP
/// exporter (http/protobuf, metrics every second) sending to a local collector stub. The two alternate
/// (off, on, on, off, ...) so that a drift of the machine falls on both. On a shared machine a task's latency varies
/// far more than 5 %, so it also measures what one span and one measurement cost with the same exporter, counts the
/// spans a task makes, and prints the overhead that adds up to.
/// </summary>
public sealed class TelemetryBenchmark : IBenchmark
{
    private static readonly string[] OtlpVariables = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_METRIC_EXPORT_INTERVAL"];

    public string Name => "telemetry";

    public string Description => "tracing + metrics off vs on with an OTLP exporter, on the orchestration path: [tasks per phase, default 10] [files, default 1000] [phases per mode, default 2]";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var count = BenchmarkSupport.Positional(args, 0, 10);
        var fileCount = BenchmarkSupport.Positional(args, 1, 1000);
        var rounds = BenchmarkSupport.Positional(args, 2, 2);
        Console.WriteLine($"load average at start: {BenchmarkSupport.LoadAverage()}");
        using var repository = TestRepository.Create(OrchestrationBenchmark.GeneratedFiles(fileCount), name: "widgets");
        using var github = new GitHubStub();
        github.Settings("test_command: \"true\"\n");
        github.BranchHead = repository.Head;
        using var llm = OrchestrationBenchmark.StartLlm();
        using var collector = WireMockServer.Start();
        collector.Given(Request.Create().UsingPost()).RespondWith(Response.Create().WithStatusCode(200));

        var spans = new Dictionary<string, long>(StringComparer.Ordinal);
        string? counting = null;
        // Counts every span any source is asked for (a listener that samples nothing changes no other listener's choice).
        using var census = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) =>
            {
                if (counting is { } phase)
                {
                    lock (spans)
                    {
                        spans[phase] = spans.GetValueOrDefault(phase) + 1;
                    }
                }

                return ActivitySamplingResult.None;
            },
        };
        ActivitySource.AddActivityListener(census);

        var off = new OrchestrationBenchmark.Phase("telemetry off", BenchmarkStore.Sqlite, 0, Off);
        var on = new OrchestrationBenchmark.Phase("telemetry on", BenchmarkStore.Sqlite, 0);
        var timings = new Dictionary<string, List<double>> { [off.Name] = [], [on.Name] = [] };
        var order = Enumerable.Range(0, rounds).SelectMany(r => r % 2 == 0 ? new[] { off, on } : [on, off]).ToList();
        for (var i = 0; i < order.Count; i++)
        {
            var phase = order[i];
            Console.WriteLine($"{phase.Name} ({i + 1}/{order.Count}):");
            SetOtlp(phase == on ? collector.Url : null);
            counting = phase.Name;
            try
            {
                var results = await OrchestrationBenchmark.RunPhaseAsync(phase, null, count, 5000 + (1000 * i), repository, github, llm, null, cancellationToken);
                timings[phase.Name].AddRange(OrchestrationBenchmark.Totals(results));
            }
            finally
            {
                counting = null;
                SetOtlp(null);
            }
        }

        var exports = collector.LogEntries.GroupBy(e => e.RequestMessage?.Path ?? "?").ToDictionary(g => g.Key, g => g.Count());
        var baseline = timings[off.Name].Order().ToArray();
        var measured = timings[on.Name].Order().ToArray();
        Console.WriteLine();
        Console.WriteLine($"OTLP requests received by the collector stub: {string.Join(", ", exports.Select(e => $"{e.Key} {e.Value}"))}");
        Console.WriteLine("delivery → PR created        median      p95     mean");
        foreach (var (name, values) in new[] { (off.Name, baseline), (on.Name, measured) })
        {
            Console.WriteLine($"  {name,-26}{BenchmarkSupport.Percentile(values, 50),7:F0} ms{BenchmarkSupport.Percentile(values, 95),6:F0} ms{values.Average(),6:F0} ms");
        }

        var ratio = BenchmarkSupport.Percentile(measured, 50) / BenchmarkSupport.Percentile(baseline, 50);
        Console.WriteLine($"  ratio on / off              {ratio,6:F3}×  {BenchmarkSupport.Percentile(measured, 95) / BenchmarkSupport.Percentile(baseline, 95),6:F3}×  {measured.Average() / baseline.Average(),6:F3}×");
        Console.WriteLine($"goal overhead < 5 % (median, end to end): {(ratio < 1.05 ? "met" : "NOT met")}");

        var perTask = (double)spans.GetValueOrDefault(on.Name) / (count * rounds);
        var (spanCost, measurementCost) = UnitCosts(collector.Url!);
        // An LLM request records the most: a request, two token counts, a duration and a wait.
        var added = perTask * spanCost + perTask * 2 * measurementCost;
        Console.WriteLine();
        Console.WriteLine($"spans started per task (all sources: Atom, ASP.NET Core, HttpClient): {perTask:F0}");
        Console.WriteLine($"one span with 4 tags, exported (OTLP batch): {spanCost * 1000:F1} µs more than without a listener; one measurement with 3 tags: {measurementCost * 1000:F2} µs more");
        Console.WriteLine($"so a task spends about {added:F2} ms on telemetry: {added / BenchmarkSupport.Percentile(baseline, 50) * 100:F3} % of the off median");
        Console.WriteLine($"goal overhead < 5 % (from unit costs): {(added / BenchmarkSupport.Percentile(baseline, 50) < 0.05 ? "met" : "NOT met")}");
        Console.WriteLine($"load average at the end: {BenchmarkSupport.LoadAverage()}");
    }

    /// <summary>
    /// Milliseconds one span (4 tags) and one counter measurement (3 tags) add with an OTLP batch exporter listening,
    /// against the same code with nothing listening.
    /// </summary>
    private static (double Span, double Measurement) UnitCosts(string collector)
    {
        const int Count = 200_000;
        using var source = new ActivitySource("Atom.Bot.Benchmark");
        using var meter = new Meter("Atom.Bot.Benchmark");
        var counter = meter.CreateCounter<long>("atom.benchmark");

        double Spans()
        {
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < Count; i++)
            {
                using var activity = source.StartActivity("stage");
                activity?.SetTag("atom.task.id", i);
                activity?.SetTag("atom.repository", "acme/widgets");
                activity?.SetTag("atom.round", 0);
                activity?.SetTag("atom.outcome", "completed");
            }

            return Stopwatch.GetElapsedTime(start).TotalMilliseconds / Count;
        }

        double Measurements()
        {
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < Count; i++)
            {
                counter.Add(1, new KeyValuePair<string, object?>("endpoint", "main"), new KeyValuePair<string, object?>("model", "m"), new KeyValuePair<string, object?>("outcome", "completed"));
            }

            return Stopwatch.GetElapsedTime(start).TotalMilliseconds / Count;
        }

        Spans();
        Measurements();
        var (bareSpan, bareMeasurement) = (Spans(), Measurements());
        var endpoint = new Uri(collector);
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(source.Name)
                   .AddOtlpExporter(o => { o.Endpoint = new Uri(endpoint, "/v1/traces"); o.Protocol = OtlpExportProtocol.HttpProtobuf; }).Build())
        using (var metrics = Sdk.CreateMeterProviderBuilder().AddMeter(meter.Name)
                   .AddOtlpExporter((o, r) => { o.Endpoint = new Uri(endpoint, "/v1/metrics"); o.Protocol = OtlpExportProtocol.HttpProtobuf; r.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 1000; }).Build())
        {
            Spans();
            Measurements();
            return (Spans() - bareSpan, Measurements() - bareMeasurement);
        }
    }

    private static void Off(WebApplicationBuilder builder) => builder.Services
        .ConfigureOpenTelemetryTracerProvider(tracing => tracing.SetSampler(new AlwaysOffSampler()))
        .ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddView(_ => MetricStreamConfiguration.Drop));

    // The service reads these when it is built, as it would from its environment in production.
    private static void SetOtlp(string? endpoint)
    {
        foreach (var variable in OtlpVariables)
        {
            Environment.SetEnvironmentVariable(variable, endpoint is null ? null : variable switch
            {
                "OTEL_EXPORTER_OTLP_ENDPOINT" => endpoint,
                "OTEL_EXPORTER_OTLP_PROTOCOL" => "http/protobuf",
                _ => "1000",
            });
        }
    }
}
