namespace Atom.Bot.Workers;

/// <summary>What one agent conversation did, before anything is committed.</summary>
public sealed record AgentRun(AgentStop Stop, string Summary, int Steps, long TokensIn, long TokensOut, TimeSpan LlmTime, string? Error);
