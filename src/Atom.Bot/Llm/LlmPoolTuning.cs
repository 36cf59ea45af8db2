namespace Atom.Bot.Llm;

/// <summary>Retry and timeout knobs of the <see cref="LlmPool"/>; the defaults suit production, tests shrink the delays.</summary>
public sealed record LlmPoolTuning
{
    public static LlmPoolTuning Default { get; } = new();

    /// <summary>Tries per request, the first included.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>The first backoff; it doubles on each retry, with jitter, up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A server's <c>Retry-After</c> is honoured up to this long.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Overrides <c>ATOM_LLM_TIMEOUT_SECONDS</c> (whole seconds) when set; tests use fractions of a second.</summary>
    public TimeSpan? RequestTimeout { get; init; }
}
