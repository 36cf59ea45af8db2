namespace Atom.Bot.Tasks;

/// <summary>
/// One named move of the task state machine: the states it may start from, where it goes, who makes it and when.
/// <see cref="TaskStore.TransitionAsync(long, TaskTransition, string, string?, CancellationToken)"/> applies it as a
/// compare-and-set, so a caller names the move and never carries its own list of starting states.
/// </summary>
public sealed record TaskTransition(string Name, IReadOnlyList<TaskState> From, TaskState To, string Who, string When)
{
    public bool Allows(TaskState state) => From.Contains(state);
}
