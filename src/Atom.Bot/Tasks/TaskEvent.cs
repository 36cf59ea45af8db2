namespace Atom.Bot.Tasks;

/// <summary>One step of a task's state history.</summary>
public sealed record TaskEvent(long Id, long TaskId, TaskState? From, TaskState To, string Actor, string? Reason, DateTimeOffset At);
