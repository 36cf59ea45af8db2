namespace Atom.Bot.Workers;

/// <summary>Bounds of one assignment: tool calls (<c>ATOM_WORKER_MAX_STEPS</c>) and wall-clock time.</summary>
public sealed record AgentLimits(int MaxSteps, TimeSpan Deadline)
{
    /// <summary>Long enough for a few test runs and a slow local model; short enough that a stuck task surfaces the same hour.</summary>
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromMinutes(30);

    /// <summary>How many prose-only replies the loop answers with a reminder before it treats the work as finished.</summary>
    public const int MaxReminders = 2;
}
