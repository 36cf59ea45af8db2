namespace Atom.Bot.Tasks;

/// <summary>
/// accepted → planning → working → evaluating → awaiting_approval → merged | rejected | failed | cancelled.
/// </summary>
public enum TaskState
{
    Accepted,
    Planning,
    Working,
    Evaluating,
    AwaitingApproval,
    Merged,
    Rejected,
    Failed,
    Cancelled,
}
