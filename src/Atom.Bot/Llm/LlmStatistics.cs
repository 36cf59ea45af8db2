namespace Atom.Bot.Llm;

/// <summary>
/// A snapshot of the process-wide LLM pool for <c>GET /status</c>. Counters are per logical request (a request and
/// its retries count once in <see cref="Completed"/> or <see cref="Failed"/>); <see cref="Retried"/> counts the
/// extra attempts; <see cref="MeanWaitMilliseconds"/> is the mean time an attempt waited for a free slot.
/// </summary>
public sealed record LlmStatistics(
    int Concurrency,
    int InFlight,
    int Queued,
    long Completed,
    long Failed,
    long Cancelled,
    long Retried,
    long Corrections,
    long InvalidOutputs,
    double MeanWaitMilliseconds,
    long TokensIn,
    long TokensOut,
    IReadOnlyList<LlmEndpointStatus> Endpoints);
