namespace Atom.Bot.Tasks;

/// <summary>The database spelling of <see cref="TaskState"/> and which states are final.</summary>
public static class TaskStates
{
    public static string ToName(this TaskState state) => state switch
    {
        TaskState.Accepted => "accepted",
        TaskState.Planning => "planning",
        TaskState.Working => "working",
        TaskState.Evaluating => "evaluating",
        TaskState.AwaitingApproval => "awaiting_approval",
        TaskState.Merged => "merged",
        TaskState.Rejected => "rejected",
        TaskState.Failed => "failed",
        TaskState.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static TaskState Parse(string name) => name switch
    {
        "accepted" => TaskState.Accepted,
        "planning" => TaskState.Planning,
        "working" => TaskState.Working,
        "evaluating" => TaskState.Evaluating,
        "awaiting_approval" => TaskState.AwaitingApproval,
        "merged" => TaskState.Merged,
        "rejected" => TaskState.Rejected,
        "failed" => TaskState.Failed,
        "cancelled" => TaskState.Cancelled,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown task state"),
    };

    /// <summary>Every state a task can still leave.</summary>
    public static IReadOnlyList<TaskState> Active { get; } = [.. Enum.GetValues<TaskState>().Where(s => !s.IsFinal())];

    public static bool IsFinal(this TaskState state) =>
        state is TaskState.Merged or TaskState.Rejected or TaskState.Failed or TaskState.Cancelled;
}
