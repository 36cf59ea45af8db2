namespace Atom.Bot.Llm;

/// <summary>One answered LLM request: for which task (null: none), which endpoint and model, its tokens, and when.</summary>
public sealed record LlmUsageRecord(long? TaskId, LlmEndpoint Endpoint, string Model, long TokensIn, long TokensOut, DateTimeOffset At);
