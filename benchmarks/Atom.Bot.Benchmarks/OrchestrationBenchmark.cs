using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Atom.Bot.Audit;
using Atom.Bot.Configuration;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;
using WireMock.Types;
using WireMock.Util;

namespace Atom.Bot.Benchmarks;

/// <summary>
/// Orchestration overhead (issue 6): labelled delivery → pull request created, with an LLM that answers instantly and a
/// test command that does nothing (<c>true</c>), on a generated repository of 5,000 files. Tasks run one after another,
/// so each figure is one task's latency; the breakdown comes from the task's state history and its audit entries.
/// </summary>
public sealed class OrchestrationBenchmark : IBenchmark
{
    private const string Secret = "benchmark-secret";
    private const string Title = "Add a greeting";

    public string Name => "orchestration";

    public string Description => "20 labelled issues → PR with an instant LLM stub and `true` as test command, 5,000-file repository (median, p95, breakdown), without and with spare worktrees; --postgres: SQLite vs PostgreSQL, one instance and two";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var count = BenchmarkSupport.Positional(args, 0, 20);
        var fileCount = BenchmarkSupport.Positional(args, 1, 5000);
        var traceGit = args.Contains("--trace-git");
        Console.WriteLine($"load average at start: {BenchmarkSupport.LoadAverage()}");
        await using var stores = await BenchmarkStores.StartAsync(args);
        var gitTrace = traceGit && !OperatingSystem.IsWindows() ? GitTrace.Install() : null;

        var generate = Stopwatch.StartNew();
        using var repository = TestRepository.Create(GeneratedFiles(fileCount), name: "widgets");
        Console.WriteLine($"generated remote: {fileCount} files in {generate.Elapsed.TotalSeconds:F1} s");

        using var github = new GitHubStub();
        github.Settings("test_command: \"true\"\n");
        github.BranchHead = repository.Head;
        using var llm = StartLlm();

        // Baseline in the same run, first: the same tasks with no spare worktrees (every checkout on the task's path)
        // and then the default number of spares, on SQLite; or with --postgres, SQLite against PostgreSQL (one instance,
        // then two taking turns with the deliveries), all with the default spares.
        var defaultSpares = int.Parse(AtomConfiguration.Settings.Single(s => s.Variable == "ATOM_WORKTREE_SPARES").Default!, CultureInfo.InvariantCulture);
        var phases = stores.All.Count > 1
            ? stores.All.Select(store => new Phase(store.Name, store, defaultSpares)).ToList()
            : [new Phase("spares 0", BenchmarkStore.Sqlite, 0), new Phase($"spares {defaultSpares}", BenchmarkStore.Sqlite, defaultSpares)];
        var results = new List<IReadOnlyList<TaskTiming>>();
        foreach (var phase in phases)
        {
            Console.WriteLine($"{phase.Store.Name}, ATOM_WORKTREE_SPARES={phase.Spares}:");
            var firstIssue = 100 + 1000 * results.Count;
            results.Add(await RunPhaseAsync(phase, await stores.NewDatabaseAsync(phase.Store), count, firstIssue, repository, github, llm, gitTrace, cancellationToken));
        }

        var baseline = Totals(results[0]);
        Console.WriteLine();
        Console.WriteLine("delivery → PR created        median      p95      min");
        for (var i = 0; i < phases.Count; i++)
        {
            var totals = Totals(results[i]);
            Console.WriteLine($"  {phases[i].Name,-20}{BenchmarkSupport.Percentile(totals, 50),9:F0} ms{BenchmarkSupport.Percentile(totals, 95),6:F0} ms{totals[0],6:F0} ms");
        }

        for (var i = 1; i < phases.Count; i++)
        {
            var totals = Totals(results[i]);
            Console.WriteLine($"  ratio {phases[i].Name + " / " + phases[0].Name,-30}{BenchmarkSupport.Percentile(totals, 50) / BenchmarkSupport.Percentile(baseline, 50),6:F2}×  {BenchmarkSupport.Percentile(totals, 95) / BenchmarkSupport.Percentile(baseline, 95),6:F2}×");
        }

        Console.WriteLine($"load average at the end: {BenchmarkSupport.LoadAverage()}");
        for (var i = 0; i < phases.Count; i++)
        {
            var median = BenchmarkSupport.Percentile(Totals(results[i]), 50);
            if (phases[i].Spares > 0)
            {
                Console.WriteLine($"goal median < 2 s (with spares), {phases[i].Name}: {(median < 2000 ? "met" : "NOT met")}");
            }

            if (phases[i].Store.PostgreSql)
            {
                Console.WriteLine($"goal median within 1.5× of SQLite, {phases[i].Name}: {(median <= 1.5 * BenchmarkSupport.Percentile(baseline, 50) ? "met" : "NOT met")}");
            }
        }

        gitTrace?.Dispose();
    }

    internal static double[] Totals(IReadOnlyList<TaskTiming> results) => results.Select(r => r.Total).Order().ToArray();

    internal static async Task<IReadOnlyList<TaskTiming>> RunPhaseAsync(
        Phase phase, string? database, int count, int firstIssue, TestRepository repository, GitHubStub github, WireMockServer llm, GitTrace? gitTrace, CancellationToken cancellationToken)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ATOM_WEBHOOK_SECRET"] = Secret,
            ["ATOM_GITHUB_TOKEN"] = "benchmark-token",
            ["ATOM_GITHUB_API_URL"] = github.Url,
            ["ATOM_LLM_BASE_URL"] = llm.Url + "/v1",
            ["ATOM_LLM_MODEL"] = "instant-model",
            ["ATOM_WORKTREE_SPARES"] = phase.Spares.ToString(CultureInfo.InvariantCulture),
        };
        var logs = new TimelineLogs();
        await using var atom = await AtomInstances.StartAsync(phase.Store, database, settings,
            b =>
            {
                b.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
                phase.Configure?.Invoke(b);
            },
            cancellationToken);
        var clients = atom.Urls.Select(url => new HttpClient { BaseAddress = new Uri(url) }).ToList();
        try
        {
            var tasks = atom.First.GetRequiredService<TaskStore>();
            var audit = atom.First.GetRequiredService<AuditLog>();
            var receipts = atom.First.GetRequiredService<ExecutionReceipts>();

            var results = new List<TaskTiming>();
            for (var i = 0; i < count; i++)
            {
                var issue = firstIssue + i;
                var timing = await RunTaskAsync(clients[i % clients.Count], github, tasks, audit, receipts, repository, issue, cancellationToken);
                results.Add(timing);
                Console.WriteLine($"  issue #{issue}: {timing.Total:F0} ms");
            }

            Print(results, logs, gitTrace);
            return results;
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    private static async Task<TaskTiming> RunTaskAsync(
        HttpClient client, GitHubStub github, TaskStore tasks, AuditLog audit, ExecutionReceipts receipts, TestRepository repository, int issue, CancellationToken cancellationToken)
    {
        var payload = JsonNode.Parse(await File.ReadAllTextAsync(Fixtures.Path("webhooks", "issues", "labeled.payload.json"), cancellationToken))!;
        payload["label"]!["name"] = "atom";
        payload["issue"]!["number"] = issue;
        payload["issue"]!["title"] = Title;
        payload["issue"]!["body"] = "Please add a greeting file.";
        payload["repository"]!["clone_url"] = repository.BarePath;
        payload["repository"]!["default_branch"] = "main";
        var body = payload.ToJsonString();

        var sent = DateTimeOffset.UtcNow;
        var start = Stopwatch.GetTimestamp();
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/github/webhooks") { Content = new StringContent(body, Encoding.UTF8, "application/json") })
        {
            request.Headers.Add("X-GitHub-Event", "issues");
            request.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
            request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(body))));
            request.Headers.UserAgent.Add(new ProductInfoHeaderValue("GitHub-Hookshot", "benchmark"));
            using var response = await client.SendAsync(request, cancellationToken);
            response.EnsureSuccessStatusCode();
        }

        var prefix = $"atom/issue-{issue}/";
        var deadline = Stopwatch.GetTimestamp() + 120 * Stopwatch.Frequency;
        while (!github.PullRequests.Any(p => p.Head.StartsWith(prefix, StringComparison.Ordinal)))
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                var stuck = (await tasks.ListRecentAsync(50, cancellationToken)).FirstOrDefault(t => t.IssueNumber == issue);
                throw new TimeoutException($"no pull request for issue #{issue} after 120 s; task {stuck?.Id} is {stuck?.State} ({stuck?.StateReason})");
            }

            await Task.Delay(2, cancellationToken);
        }

        var total = BenchmarkSupport.Milliseconds(start, Stopwatch.GetTimestamp());

        // Wait for the task's own record of the end (the PR is created before the last state change and audit entry).
        AtomTask? task = null;
        while (task?.State != TaskState.AwaitingApproval)
        {
            task = (await tasks.ListRecentAsync(50, cancellationToken)).FirstOrDefault(t => t.IssueNumber == issue);
            if (task is { State: TaskState.Failed or TaskState.Cancelled or TaskState.Rejected })
            {
                throw new InvalidOperationException($"task for issue #{issue} ended {task.State}: {task.StateReason}");
            }

            await Task.Delay(5, cancellationToken);
        }

        var events = await tasks.EventsAsync(task.Id, cancellationToken);
        var entries = await audit.EntriesForTaskAsync(task.Id, cancellationToken);
        return new TaskTiming(sent, total, events, entries, await receipts.ForTaskAsync(task.Id, cancellationToken));
    }

    /// <summary>Milliseconds between consecutive milestones, from the task's events and audit entries.</summary>
    private static IReadOnlyList<(string Stage, double Ms)> Breakdown(TaskTiming timing)
    {
        DateTimeOffset? Event(TaskState to) => timing.Events.FirstOrDefault(e => e.To == to)?.At;
        DateTimeOffset? First(string kind) => timing.Entries.FirstOrDefault(e => e.Kind == kind)?.Time;
        DateTimeOffset? Last(string kind) => timing.Entries.LastOrDefault(e => e.Kind == kind)?.Time;

        // A receipt is written when its command ends and says how long it ran: its start and end split a stage.
        (DateTimeOffset? Start, DateTimeOffset? End) Receipt(string kind)
        {
            var receipt = timing.Receipts.LastOrDefault(r => r.Kind == kind);
            if (receipt is null)
            {
                return (null, null);
            }

            using var facts = JsonDocument.Parse(receipt.Facts);
            return (receipt.Time.AddMilliseconds(-facts.RootElement.GetProperty("duration_ms").GetInt64()), receipt.Time);
        }

        var push = Receipt(ReceiptKinds.Commit);
        var tests = Receipt(ReceiptKinds.TestRun);

        var milestones = new (string Stage, DateTimeOffset? At)[]
        {
            ("intake (delivery → task accepted)", First(AuditKinds.TaskAccepted)),
            ("acknowledge (→ planning)", Event(TaskState.Planning)),
            ("plan (→ plan recorded)", First(AuditKinds.Plan)),
            ("dispatch (→ assignment dispatched)", Last(AuditKinds.Dispatch)),
            ("work: fetch, worktree, agent, commit", push.Start),
            ("work: push", push.End),
            ("work: remove worktree, record result", Last(AuditKinds.AssignmentFinished)),
            ("→ evaluating", Event(TaskState.Evaluating)),
            ("evaluate: fetch, diff, scope, worktree", tests.Start),
            ("evaluate: tests", tests.End),
            ("evaluate: remove worktree, patch, auditor", Last(AuditKinds.Evaluation)),
            ("post (→ package posted)", First(AuditKinds.PackagePosted)),
            ("→ awaiting approval", Event(TaskState.AwaitingApproval)),
        };
        var result = new List<(string, double)>();
        var previous = timing.Sent;
        foreach (var (stage, at) in milestones)
        {
            if (at is { } t)
            {
                result.Add((stage, (t - previous).TotalMilliseconds));
                previous = t;
            }
            else
            {
                result.Add((stage, double.NaN));
            }
        }

        return result;
    }

    private static void Print(List<TaskTiming> results, TimelineLogs logs, GitTrace? gitTrace)
    {
        var totals = results.Select(r => r.Total).Order().ToArray();
        var median = BenchmarkSupport.Percentile(totals, 50);
        var p95 = BenchmarkSupport.Percentile(totals, 95);
        Console.WriteLine($"tasks: {results.Count}, {Environment.ProcessorCount} cores");
        Console.WriteLine($"delivery → PR created: median {median:F0} ms, p95 {p95:F0} ms, min {totals[0]:F0} ms, max {totals[^1]:F0} ms");

        // The first task pays for JIT and the first clone: the breakdown shows the median of the others per stage.
        var measured = results.Count > 1 ? results.Skip(1).ToList() : results.ToList();
        var breakdowns = measured.Select(Breakdown).ToList();
        Console.WriteLine($"breakdown (median per stage over {measured.Count} tasks, ms):");
        for (var s = 0; s < breakdowns[0].Count; s++)
        {
            var values = breakdowns.Select(b => b[s].Ms).Where(v => !double.IsNaN(v)).Order().ToArray();
            Console.WriteLine($"  {breakdowns[0][s].Stage,-42}{(values.Length == 0 ? double.NaN : BenchmarkSupport.Percentile(values, 50)),8:F0}");
        }

        var example = results[results.Count / 2];
        Console.WriteLine("audit entries of one task (ms after the delivery was sent):");
        foreach (var entry in example.Entries)
        {
            Console.WriteLine($"  {(entry.Time - example.Sent).TotalMilliseconds,8:F0}  {entry.Kind}");
        }

        var end = example.Sent.AddMilliseconds(example.Total + 2000);
        Console.WriteLine("service log of the same task (ms after the delivery was sent):");
        foreach (var (at, line) in logs.Between(example.Sent, end))
        {
            Console.WriteLine($"  {(at - example.Sent).TotalMilliseconds,8:F0}  {line}");
        }

        if (gitTrace is not null)
        {
            var calls = gitTrace.Calls().Where(c => c.Start >= example.Sent && c.Start <= end).ToList();
            Console.WriteLine($"git processes of the same task: {calls.Count}, {calls.Sum(c => c.Ms):F0} ms in total (each timed by a PATH shim, which adds a little)");
            foreach (var call in calls)
            {
                Console.WriteLine($"  {(call.Start - example.Sent).TotalMilliseconds,8:F0} {call.Ms,6:F0} ms  git {call.Command}");
            }
        }

    }

    internal static Dictionary<string, string> GeneratedFiles(int count)
    {
        var files = new Dictionary<string, string> { ["README.md"] = "# Widgets\n" };
        for (var i = 0; files.Count < count; i++)
        {
            files[$"src/module{i % 50:D2}/part{i / 50 % 10}/file{i:D5}.txt"] = $"line one of file {i}\nline two\n{new string('x', i % 200)}\n";
        }

        return files;
    }

    /// <summary>
    /// A stateless, instant OpenAI-compatible LLM: a plan for <c>atom_plan</c>, a passing verdict for <c>atom_verdict</c>,
    /// and for a worker (a request offering tools) a <c>write_file</c> call first, then <c>finish</c>.
    /// </summary>
    internal static WireMockServer StartLlm()
    {
        var server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{BenchmarkSupport.FreePort()}"], StartAdminInterface = false });
        server.Given(Request.Create().UsingPost().WithPath("/v1/chat/completions"))
            .RespondWith(Response.Create().WithCallback(request => Answer(request.Body ?? "{}")));
        return server;
    }

    private static ResponseMessage Answer(string requestBody)
    {
        using var document = JsonDocument.Parse(requestBody);
        var root = document.RootElement;
        var schema = root.TryGetProperty("response_format", out var format) && format.TryGetProperty("json_schema", out var js)
            && js.TryGetProperty("name", out var n) ? n.GetString() : null;
        var hasTools = root.TryGetProperty("tools", out var tools) && tools.GetArrayLength() > 0;
        var hasToolMessage = root.GetProperty("messages").EnumerateArray().Any(m => m.TryGetProperty("role", out var r) && r.GetString() == "tool");

        var message = new JsonObject { ["role"] = "assistant" };
        var finish = "stop";
        if (schema == "atom_plan")
        {
            message["content"] = JsonSerializer.Serialize(new
            {
                rationale = "One small change.",
                assignments = new[] { new { title = "Greeting", instructions = "Add src/greeting.txt.", scope = new { allow = new[] { "src/**" }, deny = Array.Empty<string>() } } },
            });
        }
        else if (schema == "atom_verdict")
        {
            message["content"] = """{"score":0.95,"verdict":"pass","findings":[]}""";
        }
        else if (hasTools)
        {
            var (name, arguments) = hasToolMessage
                ? ("finish", JsonSerializer.Serialize(new { summary = "Added the greeting." }))
                : ("write_file", JsonSerializer.Serialize(new { path = "src/greeting.txt", content = "hello\n" }));
            message["content"] = null;
            message["tool_calls"] = new JsonArray(new JsonObject
            {
                ["id"] = "call_" + Guid.NewGuid().ToString("N"),
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = name, ["arguments"] = arguments },
            });
            finish = "tool_calls";
        }
        else
        {
            message["content"] = "ok";
        }

        var body = new JsonObject
        {
            ["id"] = "chatcmpl-bench",
            ["object"] = "chat.completion",
            ["created"] = 1_700_000_000,
            ["model"] = "instant-model",
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["finish_reason"] = finish }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 10, ["completion_tokens"] = 5, ["total_tokens"] = 15 },
        };
        return new ResponseMessage
        {
            StatusCode = 200,
            Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
            BodyData = new BodyData { BodyAsString = body.ToJsonString(), DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
        };
    }

    /// <summary>Every log line with its time, for a per-task timeline.</summary>
    private sealed class TimelineLogs : ILoggerProvider
    {
        private readonly List<(DateTimeOffset At, string Line)> _lines = [];

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

        public List<(DateTimeOffset At, string Line)> Between(DateTimeOffset from, DateTimeOffset to)
        {
            lock (_lines)
            {
                return _lines.Where(l => l.At >= from && l.At <= to).ToList();
            }
        }

        public void Dispose()
        {
        }

        private sealed class Logger(TimelineLogs owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (category.StartsWith("Hangfire", StringComparison.Ordinal) || logLevel < LogLevel.Debug)
                {
                    return;
                }

                var line = $"{category}: {formatter(state, exception)}";
                lock (owner._lines)
                {
                    owner._lines.Add((DateTimeOffset.UtcNow, line.Length > 160 ? line[..160] + "…" : line));
                }
            }
        }
    }

    /// <summary>A <c>git</c> shim first on PATH that records each git process's start, duration and command.</summary>
    internal sealed class GitTrace : IDisposable
    {
        private readonly string _directory;
        private readonly string _log;
        private readonly string? _path;

        private GitTrace(string directory, string? path)
        {
            _directory = directory;
            _log = Path.Combine(directory, "calls.log");
            _path = path;
        }

        [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
        public static GitTrace Install()
        {
            var directory = Directory.CreateTempSubdirectory("atom-bench-git-").FullName;
            var real = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "git")).First(File.Exists);
            var shim = Path.Combine(directory, "git");
            File.WriteAllText(shim, $"#!/bin/sh\ns=$(date +%s%N)\n{real} \"$@\"\nrc=$?\necho \"$s $(date +%s%N) $1 $2\" >> {Path.Combine(directory, "calls.log")}\nexit $rc\n");
            File.SetUnixFileMode(shim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var path = Environment.GetEnvironmentVariable("PATH");
            Environment.SetEnvironmentVariable("PATH", directory + ":" + path);
            return new GitTrace(directory, path);
        }

        public List<(DateTimeOffset Start, double Ms, string Command)> Calls() =>
            !File.Exists(_log) ? [] : File.ReadAllLines(_log).Select(l => l.Split(' ', 3)).Select(p =>
            {
                var start = long.Parse(p[0], CultureInfo.InvariantCulture);
                var end = long.Parse(p[1], CultureInfo.InvariantCulture);
                return (DateTimeOffset.FromUnixTimeMilliseconds(start / 1_000_000).AddTicks(start / 100 % 10_000), (end - start) / 1e6, p[2]);
            }).ToList();

        public void Dispose()
        {
            Environment.SetEnvironmentVariable("PATH", _path);
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>One run of the tasks: a fresh service (or services) on <paramref name="Store"/> with <paramref name="Spares"/> spare worktrees.</summary>
    /// <summary>One series of tasks on a fresh service; <paramref name="Configure"/> changes its services (the telemetry benchmark's on and off).</summary>
    internal sealed record Phase(string Name, BenchmarkStore Store, int Spares, Action<WebApplicationBuilder>? Configure = null);

    internal sealed record TaskTiming(DateTimeOffset Sent, double Total, IReadOnlyList<TaskEvent> Events, IReadOnlyList<AuditEntry> Entries, IReadOnlyList<ExecutionReceipt> Receipts);
}
