namespace Atom.Bot.Workers;

/// <summary>What one agent conversation did, before anything is committed.</summary>
/// <param name="ElidedResults">Old tool results replaced by a note to keep the conversation within the model's context.</param>
public sealed record AgentRun(AgentStop Stop, string Summary, int Steps, long TokensIn, long TokensOut, TimeSpan LlmTime, string? Error, int ElidedResults = 0);
