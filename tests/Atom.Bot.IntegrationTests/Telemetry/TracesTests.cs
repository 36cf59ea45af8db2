using System.Collections.Concurrent;
using System.Diagnostics;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Tasks;
using Atom.Bot.Telemetry;
using OpenTelemetry.Trace;

namespace Atom.Bot.IntegrationTests.Telemetry;

/// <summary>A labelled issue run to its merge, with an in-memory exporter on the service's tracer provider.</summary>
[Collection(nameof(RunsAlone))]
public sealed class TracesTests
{
    private const string LlmKey = "test-llm-key-0b7d31f2";

    [Fact]
    public async Task Every_stage_of_a_task_is_a_span_tagged_with_its_ids_LLM_spans_carry_tokens_and_no_secret_is_traced_or_logged()
    {
        var spans = new SpanCollection();
        var traceIds = new TraceIdLog();
        await using var scenario = await AtomScenario.StartAsync(
            settings: "test_command: test -f src/greeting.txt\n",
            environment: new Dictionary<string, string?> { ["ATOM_LLM_API_KEY"] = LlmKey },
            configure: builder =>
            {
                builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans));
                builder.Logging.AddProvider(traceIds);
            });
        scenario.ReplyPlan(("Code", ["src/**"]));
        scenario.Llm.ReplyToolCall("write_file", new { path = "src/greeting.txt", content = "hello\n" }, tokensIn: 1200, tokensOut: 40)
            .ReplyToolCall("finish", new { summary = "Done." }, tokensIn: 1300, tokensOut: 15);
        scenario.ReplyVerdict();

        // As GitHub sends it, without a trace context: the test's own client would pass on its span, which the service's
        // sampler drops (an outgoing call with no parent), and the request would follow it.
        using (var github = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = scenario.Host.Client.BaseAddress })
        using (var labeled = AtomTestHost.Delivery("issues", scenario.Labeled().ToJsonString()))
        {
            (await github.SendAsync(labeled, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        }

        var task = await scenario.WaitForStateAsync(TaskState.AwaitingApproval);
        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(task.PullRequest!.Value, "alice", "approved", task.HeadSha!));
        await scenario.WaitForStateAsync(TaskState.Merged);
        await Eventually.TrueAsync(() => spans.Any(s => s.DisplayName == "approval"), "the approval's span to end");

        var all = spans.Snapshot();
        var atom = all.Where(s => s.Source.Name == AtomTelemetry.Name).ToList();
        TestContext.Current.TestOutputHelper?.WriteLine(SpanCollection.Tree(atom,
            AtomTelemetry.TaskId, AtomTelemetry.AssignmentId, AtomTelemetry.Event, AtomTelemetry.TestStatus, AtomTelemetry.GenAiToolName, AtomTelemetry.GenAiRequestModel,
            AtomTelemetry.GenAiInputTokens, AtomTelemetry.GenAiOutputTokens, AtomTelemetry.Attempt, AtomTelemetry.Sandboxed, AtomTelemetry.ExitCode,
            AtomTelemetry.Outcome));

        Activity Single(string name) => atom.Where(s => s.DisplayName == name).ShouldHaveSingleItem(name);
        var intake = Single("intake");
        intake.GetTagItem(AtomTelemetry.TaskId).ShouldBe(task.Id);
        intake.GetTagItem(AtomTelemetry.Outcome).ShouldBe("accepted");
        var delivery = atom.Single(s => s.SpanId == intake.ParentSpanId);
        delivery.DisplayName.ShouldBe("delivery");
        delivery.GetTagItem(AtomTelemetry.Event).ShouldBe("issues");
        delivery.GetTagItem(AtomTelemetry.DeliveryId).ShouldNotBeNull();

        // Each stage names its task; a task's stages run as separate jobs, so they are separate traces linked by that id.
        string[] stages = ["plan", "assignment", "evaluation", "auditor", "approval", "merge"];
        var byStage = stages.ToDictionary(s => s, Single);
        byStage.Values.ShouldAllBe(s => Equals(s.GetTagItem(AtomTelemetry.TaskId), task.Id));
        byStage["plan"].TraceId.ShouldNotBe(byStage["assignment"].TraceId);
        byStage["assignment"].GetTagItem(AtomTelemetry.AssignmentId).ShouldNotBeNull();
        byStage["assignment"].GetTagItem(AtomTelemetry.Outcome).ShouldBe("completed");
        byStage["evaluation"].GetTagItem(AtomTelemetry.Outcome).ShouldBe("pass");
        byStage["merge"].GetTagItem(AtomTelemetry.Outcome).ShouldBe("handled");
        byStage["approval"].GetTagItem(AtomTelemetry.Outcome).ShouldBe("handled");
        var publish = Single("publish");
        publish.GetTagItem(AtomTelemetry.TaskId).ShouldBe(task.Id);
        publish.GetTagItem(AtomTelemetry.PullRequest).ShouldBe(task.PullRequest);
        publish.ParentSpanId.ShouldBe(byStage["evaluation"].SpanId);
        byStage["auditor"].ParentSpanId.ShouldNotBe(default);

        // Within a job, stages nest: the worker's tool calls and LLM requests under its assignment.
        var tools = atom.Where(s => s.DisplayName.StartsWith("execute_tool ", StringComparison.Ordinal)).ToList();
        tools.Select(s => s.GetTagItem(AtomTelemetry.GenAiToolName)).ShouldBe(["write_file", "finish"], ignoreOrder: true);
        tools.ShouldAllBe(s => s.ParentSpanId == byStage["assignment"].SpanId && Equals(s.GetTagItem(AtomTelemetry.Refused), false));
        var llm = atom.Where(s => s.GetTagItem(AtomTelemetry.GenAiOperation) as string == "chat").ToList();
        llm.Count.ShouldBe(4, "plan, two worker steps, the auditor");
        llm.ShouldAllBe(s => s.Kind == ActivityKind.Client && (string?)s.GetTagItem(AtomTelemetry.GenAiRequestModel) == "scripted-model" && Equals(s.GetTagItem(AtomTelemetry.Attempt), 1));
        llm.ShouldAllBe(s => (int)s.GetTagItem(AtomTelemetry.GenAiInputTokens)! > 0 && (int)s.GetTagItem(AtomTelemetry.GenAiOutputTokens)! > 0);
        llm.Count(s => s.ParentSpanId == byStage["assignment"].SpanId).ShouldBe(2);
        llm.Where(s => s.ParentSpanId == byStage["assignment"].SpanId).Sum(s => (int)s.GetTagItem(AtomTelemetry.GenAiInputTokens)!).ShouldBe(2500);
        llm.ShouldContain(s => s.ParentSpanId == byStage["plan"].SpanId);
        llm.ShouldContain(s => s.ParentSpanId == byStage["auditor"].SpanId);
        var tests = Single("test_run");
        tests.GetTagItem(AtomTelemetry.TestStatus).ShouldBe("passed");
        tests.GetTagItem(AtomTelemetry.ExitCode).ShouldBe(0);
        tests.GetTagItem(AtomTelemetry.Sandboxed).ShouldNotBeNull();

        // Instrumentation: the webhook requests (ASP.NET Core) and the calls to GitHub and the model (HttpClient) nest too.
        all.ShouldContain(s => s.Kind == ActivityKind.Server && (string?)s.GetTagItem("url.path") == "/api/github/webhooks");
        all.ShouldContain(s => s.Kind == ActivityKind.Client && s.Source.Name != AtomTelemetry.Name && llm.Any(l => l.SpanId == s.ParentSpanId));

        if (PostgresFixture.FlowsOnPostgreSql)
        {
            // Npgsql's commands inside a stage are its children; background queries (heartbeats, polls) start no trace.
            all.ShouldContain(s => s.Source.Name == "Npgsql" && atom.Any(a => a.SpanId == s.ParentSpanId));
            all.ShouldNotContain(s => s.Source.Name == "Npgsql" && s.ParentSpanId == default);
        }

        // Log records written inside a span carry its trace id.
        var completed = traceIds.Records.Where(r => r.Category == "Atom.Bot.Llm.LlmPool" && r.EventId == 7007).ToList();
        completed.Count.ShouldBe(4);
        completed.Select(r => r.TraceId).ShouldBe(llm.Select(s => s.TraceId.ToHexString()), ignoreOrder: true);

        string[] secrets = [AtomTestHost.WebhookSecret, AtomTestHost.GitHubToken, LlmKey];
        var tagText = string.Join("\n", all.SelectMany(s => s.TagObjects.Select(t => $"{s.DisplayName} {t.Key}={t.Value}")).Concat(all.Select(s => s.StatusDescription ?? "")));
        var logText = string.Join("\n", scenario.Host.Logs.Lines);
        foreach (var secret in secrets)
        {
            tagText.ShouldNotContain(secret, Case.Sensitive, "a secret reached a span");
            logText.ShouldNotContain(secret, Case.Sensitive, "a secret reached the logs");
        }
    }

    /// <summary>Each log record with the trace id the logging scopes carried (logging's activity tracking).</summary>
    private sealed class TraceIdLog : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider? _scopes;

        public ConcurrentQueue<(string Category, int EventId, string? TraceId)> Records { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(TraceIdLog log, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => log._scopes?.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                string? traceId = null;
                log._scopes?.ForEachScope((scope, _) =>
                {
                    if (scope is IEnumerable<KeyValuePair<string, object?>> pairs && pairs.FirstOrDefault(p => p.Key == "TraceId") is { Value: { } value })
                    {
                        traceId = value.ToString();
                    }
                }, (object?)null);
                log.Records.Enqueue((category, eventId.Id, traceId));
            }
        }
    }
}
