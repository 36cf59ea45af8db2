namespace Atom.Bot.Workers;

/// <summary>
/// Bounds of one assignment: tool calls (<c>ATOM_WORKER_MAX_STEPS</c>), wall-clock time, and the model's context
/// (<c>ATOM_LLM_CONTEXT_TOKENS</c>) the conversation is kept within.
/// </summary>
public sealed record AgentLimits(int MaxSteps, TimeSpan Deadline, int ContextTokens = AgentLimits.DefaultContextTokens)
{
    public const int DefaultContextTokens = 32768;

    /// <summary>Long enough for a few test runs and a slow local model; short enough that a stuck task surfaces the same hour.</summary>
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromMinutes(30);

    /// <summary>How many prose-only replies the loop answers with a reminder before it treats the work as finished.</summary>
    public const int MaxReminders = 2;
}
