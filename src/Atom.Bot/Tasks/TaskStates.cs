namespace Atom.Bot.Tasks;

/// <summary>The database spelling of <see cref="TaskState"/>, and which states are active, ended or final.</summary>
public static class TaskStates
{
    public static string ToName(this TaskState state) => state switch
    {
        TaskState.Accepted => "accepted",
        TaskState.Planning => "planning",
        TaskState.Working => "working",
        TaskState.Evaluating => "evaluating",
        TaskState.AwaitingApproval => "awaiting_approval",
        TaskState.MergeBlocked => "merge_blocked",
        TaskState.MergeQueued => "merge_queued",
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
        "merge_blocked" => TaskState.MergeBlocked,
        "merge_queued" => TaskState.MergeQueued,
        "merged" => TaskState.Merged,
        "rejected" => TaskState.Rejected,
        "failed" => TaskState.Failed,
        "cancelled" => TaskState.Cancelled,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown task state"),
    };

    /// <summary>The states in which work is under way or a human is asked to act: not <see cref="IsEnded"/>.</summary>
    public static IReadOnlyList<TaskState> Active { get; } = [TaskState.Accepted, TaskState.Planning, TaskState.Working, TaskState.Evaluating, TaskState.AwaitingApproval, TaskState.MergeBlocked, TaskState.MergeQueued];

    /// <summary>
    /// No work runs and none is due: the supervisor does nothing for the task, recovery skips it, and intake allows a
    /// new task for the issue. <c>failed</c> and <c>cancelled</c> are ended but not final: <c>/revise</c>, <c>/retry</c>
    /// and <c>/reject</c> leave them.
    /// </summary>
    /// <summary>Approved and past the approval step, waiting on GitHub's rules or queue: a push or <c>/revise</c> starts over from here too.</summary>
    public static bool IsMerging(this TaskState state) => state is TaskState.MergeBlocked or TaskState.MergeQueued;

    public static bool IsEnded(this TaskState state) => !Active.Contains(state);

    /// <summary>No transition leaves the state (read from <see cref="TaskTransitions.All"/>): <c>merged</c> and <c>rejected</c>.</summary>
    public static bool IsFinal(this TaskState state) => !TaskTransitions.All.Any(t => t.Allows(state));
}
