using System.Diagnostics;
using OpenTelemetry.Trace;

namespace Atom.Bot.Telemetry;

/// <summary>
/// Samples every trace except one that would start with an outgoing call (a client span with no parent): those are
/// background polls (Hangfire's queue queries on PostgreSQL every 250 ms, the platform health API) that would bury the
/// traces of real work. A call made inside a stage or a request has a parent and is kept with it; Atom's own LLM
/// request spans (client spans tagged <c>gen_ai.operation.name</c> from the start) are always kept.
/// </summary>
internal sealed class BackgroundCallSampler : Sampler
{
    private static readonly SamplingResult Keep = new(SamplingDecision.RecordAndSample);
    private static readonly SamplingResult Drop = new(SamplingDecision.Drop);

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.Kind != ActivityKind.Client || IsLlmRequest(samplingParameters.Tags) ? Keep : Drop;

    private static bool IsLlmRequest(IEnumerable<KeyValuePair<string, object?>>? tags) =>
        tags is not null && tags.Any(t => t.Key == AtomTelemetry.GenAiOperation);
}
