using System.Diagnostics;
using Atom.Bot.Telemetry;
using OpenTelemetry.Trace;

namespace Atom.Bot.Tests.Telemetry;

public sealed class BackgroundCallSamplerTests
{
    private static SamplingDecision Decide(ActivityKind kind, params KeyValuePair<string, object?>[] tags) =>
        new BackgroundCallSampler().ShouldSample(new SamplingParameters(default, ActivityTraceId.CreateRandom(), "span", kind, tags)).Decision;

    [Fact]
    public void A_trace_that_would_start_with_an_outgoing_call_is_dropped()
    {
        Decide(ActivityKind.Client).ShouldBe(SamplingDecision.Drop);
    }

    [Fact]
    public void Requests_stages_and_LLM_requests_start_traces()
    {
        Decide(ActivityKind.Server).ShouldBe(SamplingDecision.RecordAndSample);
        Decide(ActivityKind.Internal).ShouldBe(SamplingDecision.RecordAndSample);
        Decide(ActivityKind.Client, new KeyValuePair<string, object?>(AtomTelemetry.GenAiOperation, "chat")).ShouldBe(SamplingDecision.RecordAndSample);
    }

    [Fact]
    public void Under_a_parent_an_outgoing_call_follows_its_parent()
    {
        var sampler = new ParentBasedSampler(new BackgroundCallSampler());
        var parent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);

        sampler.ShouldSample(new SamplingParameters(parent, parent.TraceId, "GET", ActivityKind.Client)).Decision.ShouldBe(SamplingDecision.RecordAndSample);
    }
}
