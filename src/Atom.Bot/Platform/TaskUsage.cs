namespace Atom.Bot.Platform;

/// <summary>The stored tokens of one task's answered LLM requests, every round and instance together.</summary>
public sealed record TaskUsage(long TaskId, long Requests, long TokensIn, long TokensOut);
