namespace Atom.Bot.Tasks;

/// <summary>
/// accepted → planning → working → evaluating → awaiting_approval (→ merge_blocked | merge_queued) → merged | rejected | failed | cancelled.
/// </summary>
public enum TaskState
{
    Accepted,
    Planning,
    Working,
    Evaluating,
    AwaitingApproval,

    /// <summary>Approved, but a rule of the base branch blocks the merge (a required check, required reviews); the state reason names it.</summary>
    MergeBlocked,

    /// <summary>Approved and in GitHub's merge queue at the certified SHA; the queue merges it or removes it.</summary>
    MergeQueued,
    Merged,
    Rejected,
    Failed,
    Cancelled,
}
