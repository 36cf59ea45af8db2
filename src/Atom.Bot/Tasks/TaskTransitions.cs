namespace Atom.Bot.Tasks;

/// <summary>
/// The task state machine, whole: every move a task can make. docs/workflow.md shows this table as rendered by
/// <see cref="MarkdownTable"/> (a drift test keeps them equal), and <see cref="TaskStates.IsFinal"/> is derived from it.
/// </summary>
public static class TaskTransitions
{
    private const string Supervisor = "the supervisor (actor `atom`)";
    private const string Approver = "an approver";

    public static readonly TaskTransition Plan = new("plan", [TaskState.Accepted], TaskState.Planning, Supervisor,
        "the task is acknowledged and planning starts");

    public static readonly TaskTransition Dispatch = new("dispatch", [TaskState.Planning], TaskState.Working, Supervisor,
        "the plan's assignments are created and enqueued");

    public static readonly TaskTransition Evaluate = new("evaluate", [TaskState.Working], TaskState.Evaluating, Supervisor,
        "every assignment of the round is final");

    public static readonly TaskTransition Publish = new("publish", [TaskState.Evaluating], TaskState.AwaitingApproval, Supervisor,
        "a passing certification package was posted as a pull request");

    public static readonly TaskTransition AutomaticRevision = new("automatic revision", [TaskState.Evaluating], TaskState.Working, Supervisor,
        "the evaluation asks for a revision (a new round, bounded by `max_revisions`)");

    public static readonly TaskTransition Recertify = new("recertify", [TaskState.AwaitingApproval, TaskState.MergeBlocked, TaskState.MergeQueued], TaskState.Evaluating,
        "whoever pushed to the branch; the supervisor for a head pushed during evaluation",
        "a new head is on the pull request: it is evaluated and certified before anyone can approve it");

    public static readonly TaskTransition Revise = new("revise", [TaskState.AwaitingApproval, TaskState.MergeBlocked, TaskState.Failed], TaskState.Working, Approver,
        "`/revise <feedback>` or a changes-requested review: a new round on the task branch");

    public static readonly TaskTransition RetryPlanning = new("retry planning", [TaskState.Failed, TaskState.Cancelled], TaskState.Accepted, Approver,
        "`/retry` of a task that never got a plan: it starts over from planning");

    public static readonly TaskTransition RetryRound = new("retry round", [TaskState.Failed, TaskState.Cancelled], TaskState.Working, Approver,
        "`/retry` of a planned task: its last round runs again from the branches as pushed");

    public static readonly TaskTransition Fail = new("fail",
        [TaskState.Accepted, TaskState.Planning, TaskState.Working, TaskState.Evaluating], TaskState.Failed, Supervisor,
        "no valid plan, a round that failed, a package GitHub refused, no revisions left, or a token budget reached (the reason names it)");

    public static readonly TaskTransition BlockMerge = new("merge blocked", [TaskState.AwaitingApproval], TaskState.MergeBlocked, "Atom",
        "enough approvals hold, but a rule of the base branch blocks the merge: a required check not passed yet or failing, or required reviews missing (the reason names it; a different block later only changes the reason)");

    public static readonly TaskTransition Enqueue = new("enqueue", [TaskState.AwaitingApproval, TaskState.MergeBlocked], TaskState.MergeQueued, "Atom",
        "enough approvals hold and the base requires a merge queue: the certified SHA is queued with `enqueuePullRequest`");

    public static readonly TaskTransition Dequeued = new("dequeued", [TaskState.MergeQueued], TaskState.AwaitingApproval,
        "GitHub's merge queue, or whoever removed the pull request from it",
        "the pull request left the merge queue without being merged (the reason is said on the pull request)");

    public static readonly TaskTransition MergeAbandoned = new("merge abandoned", [TaskState.MergeBlocked], TaskState.AwaitingApproval, "Atom",
        "while blocked, the approvals stopped counting or GitHub refused the merge or the queue: a person approves again");

    public static readonly TaskTransition Merge = new("merge", [TaskState.AwaitingApproval, TaskState.MergeBlocked], TaskState.Merged, "Atom",
        "enough approvals hold for the certified SHA, the base's rules allow it, and Atom merged it");

    public static readonly TaskTransition MergedOnGitHub = new("merged on GitHub", TaskStates.Active, TaskState.Merged,
        "the person or bot who merged",
        "the pull request was merged on GitHub, not by Atom");

    public static readonly TaskTransition ClosedUnmerged = new("closed unmerged", TaskStates.Active, TaskState.Rejected,
        "anyone who closes the pull request", "the pull request was closed without merge");

    public static readonly TaskTransition Reject = new("reject", [.. TaskStates.Active, TaskState.Failed], TaskState.Rejected, Approver,
        "`/reject`");

    public static readonly TaskTransition Cancel = new("cancel", TaskStates.Active, TaskState.Cancelled,
        "whoever removes the label or closes the issue; an approver", "the trigger label is removed, the issue is closed, or `/cancel`");

    public static IReadOnlyList<TaskTransition> All { get; } =
        [Plan, Dispatch, Evaluate, Publish, AutomaticRevision, Recertify, Revise, RetryPlanning, RetryRound, Fail, BlockMerge, Enqueue, Dequeued, MergeAbandoned, Merge, MergedOnGitHub, ClosedUnmerged, Reject, Cancel];

    /// <summary>The table docs/workflow.md shows.</summary>
    public static string MarkdownTable()
    {
        var table = new System.Text.StringBuilder();
        table.AppendLine("| move | from | to | who | when |");
        table.AppendLine("|---|---|---|---|---|");
        foreach (var transition in All)
        {
            var from = transition.From.SequenceEqual(TaskStates.Active)
                ? "any active state"
                : string.Join(", ", transition.From.Select(s => $"`{s.ToName()}`"));
            table.AppendLine($"| {transition.Name} | {from} | `{transition.To.ToName()}` | {transition.Who} | {transition.When} |");
        }

        return table.ToString();
    }
}
