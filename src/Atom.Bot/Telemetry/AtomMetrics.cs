using System.Diagnostics.Metrics;

namespace Atom.Bot.Telemetry;

/// <summary>
/// Atom's <see cref="Meter"/> and its instruments (names in <c>docs/operations.md</c>), with the in-process
/// <see cref="Totals"/> that <c>/status</c> reads. Tags are low-cardinality: event, outcome, endpoint, model, tool,
/// state, never an id.
/// </summary>
public sealed class AtomMetrics : IDisposable
{
    public const string Deliveries = "atom.deliveries";
    public const string TaskTransitions = "atom.task.transitions";
    public const string LlmRequests = "atom.llm.requests";
    public const string LlmTokens = "atom.llm.tokens";
    public const string LlmDuration = "atom.llm.duration";
    public const string LlmRetries = "atom.llm.retries";
    public const string LlmCorrections = "atom.llm.corrections";
    public const string LlmInvalidOutputs = "atom.llm.invalid_outputs";
    public const string LlmPoolWait = "atom.llm.pool.wait";
    public const string LlmPoolInFlight = "atom.llm.pool.in_flight";
    public const string LlmPoolQueued = "atom.llm.pool.queued";
    public const string LlmPoolLimit = "atom.llm.pool.limit";
    public const string ToolCalls = "atom.tool.calls";
    public const string ToolRefusals = "atom.tool.refusals";
    public const string TestRuns = "atom.test.runs";
    public const string TestDuration = "atom.test.duration";
    public const string Approvals = "atom.approvals";
    public const string Merges = "atom.merges";
    public const string SpareWorktrees = "atom.worktrees.spare";
    public const string SandboxMode = "atom.sandbox.mode";
    public const string PlatformLevel = "atom.platform.level";

    private readonly bool _ownsMeter;

    /// <summary>Instruments on <paramref name="meter"/> (the service's, from <see cref="IMeterFactory"/>).</summary>
    public AtomMetrics(Meter meter)
        : this(meter, ownsMeter: false)
    {
    }

    private AtomMetrics(Meter meter, bool ownsMeter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        Meter = meter;
        _ownsMeter = ownsMeter;
        Totals = new MeterTotals(meter);
        DeliveryCount = meter.CreateCounter<long>(Deliveries, "{delivery}", "Webhook deliveries processed, by event and outcome");
        TransitionCount = meter.CreateCounter<long>(TaskTransitions, "{transition}", "Tasks entering a state (creation included), by state");
        LlmRequestCount = meter.CreateCounter<long>(LlmRequests, "{request}", "LLM requests (a request and its retries once), by endpoint, model and outcome");
        LlmTokenCount = meter.CreateCounter<long>(LlmTokens, "{token}", "LLM tokens, by endpoint, model and gen_ai.token.type (input, output)");
        LlmRequestDuration = meter.CreateHistogram<double>(LlmDuration, "s", "LLM request latency, retries and waits included, by endpoint, model and outcome", advice: Buckets(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600));
        LlmRetryCount = meter.CreateCounter<long>(LlmRetries, "{retry}", "LLM attempts retried, by endpoint and cause");
        LlmCorrectionCount = meter.CreateCounter<long>(LlmCorrections, "{request}", "Structured-output replies sent back for correction, by endpoint");
        LlmInvalidOutputCount = meter.CreateCounter<long>(LlmInvalidOutputs, "{request}", "Structured-output requests given up as invalid, by endpoint");
        LlmPoolWaitTime = meter.CreateHistogram<double>(LlmPoolWait, "s", "Time an LLM attempt waited for a free slot in the pool, by endpoint", advice: Buckets(0.001, 0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300));
        ToolCallCount = meter.CreateCounter<long>(ToolCalls, "{call}", "Worker tool calls, by tool and outcome");
        ToolRefusalCount = meter.CreateCounter<long>(ToolRefusals, "{call}", "Worker tool calls refused (scope, limits), by tool");
        TestRunCount = meter.CreateCounter<long>(TestRuns, "{run}", "Test runs, by status and sandboxed");
        TestRunDuration = meter.CreateHistogram<double>(TestDuration, "s", "Test run duration, by status", advice: Buckets(1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600));
        ApprovalCount = meter.CreateCounter<long>(Approvals, "{approval}", "Approvals counted or refused, by decision");
        MergeCount = meter.CreateCounter<long>(Merges, "{merge}", "Merges of certified pull requests, by outcome");
    }

    public Meter Meter { get; }

    /// <summary>Running totals of this meter's counters and histograms, for <c>/status</c>.</summary>
    public MeterTotals Totals { get; }

    public Counter<long> DeliveryCount { get; }

    public Counter<long> TransitionCount { get; }

    public Counter<long> LlmRequestCount { get; }

    public Counter<long> LlmTokenCount { get; }

    public Histogram<double> LlmRequestDuration { get; }

    public Counter<long> LlmRetryCount { get; }

    public Counter<long> LlmCorrectionCount { get; }

    public Counter<long> LlmInvalidOutputCount { get; }

    public Histogram<double> LlmPoolWaitTime { get; }

    public Counter<long> ToolCallCount { get; }

    public Counter<long> ToolRefusalCount { get; }

    public Counter<long> TestRunCount { get; }

    public Histogram<double> TestRunDuration { get; }

    public Counter<long> ApprovalCount { get; }

    public Counter<long> MergeCount { get; }

    /// <summary>Instruments on a meter of their own, for a component built outside the service (tests, benchmarks, the CLI).</summary>
    public static AtomMetrics Standalone() => new(new Meter(AtomTelemetry.Name), ownsMeter: true);

    // The SDK's default buckets are for milliseconds; these are seconds, from a quick reply to a long test suite.
    private static InstrumentAdvice<double> Buckets(params double[] bounds) => new() { HistogramBucketBoundaries = bounds };

    public void Dispose()
    {
        Totals.Dispose();
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }
}
