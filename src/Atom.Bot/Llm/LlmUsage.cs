namespace Atom.Bot.Llm;

/// <summary>What one task has cost so far: logical requests, retries among their attempts, tokens, and time spent in HTTP calls (not queued).</summary>
public sealed record LlmUsage(int Requests, int Retries, long TokensIn, long TokensOut, TimeSpan LlmTime)
{
    public static LlmUsage None { get; } = new(0, 0, 0, 0, TimeSpan.Zero);
}
