namespace Atom.Bot.Tasks;

/// <summary>What Atom says on an issue about its task: taken, refused at intake, cancelled.</summary>
public static class TaskMessages
{
    public static string Acknowledgement(AtomTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return $"""
            👀 Atom has picked up this issue as task {task.Id}, requested by @{task.RequestedBy}.

            **What happens next**
            1. I plan the work into bounded assignments, each limited to a declared scope of files.
            2. Workers make the changes on a branch `atom/issue-{task.IssueNumber}/…`; every write is checked against the scope.
            3. I test and audit the result and open a pull request whose description is a *certification package*.
            4. Nothing merges until an authorised person approves that exact commit (review, merge, or `/approve`).

            Comment `/status` here at any time to see where this stands, or `/cancel` to stop. `/help` lists every command.
            """;
    }

    /// <summary>Added to the acknowledgement of a task that arrives while the platform health API reports level 3.</summary>
    public static string WaitingForPlatform(string mode) => $"""


        ⏸️ **This task waits before planning:** the machine Atom's models run on reports it is {mode}. Work already under way
        goes on; new tasks start once the platform is back to normal. Nothing needs doing on your side.
        """;

    public static string InvalidSettings(string error) => $"""
        ⚠️ Atom cannot take this issue: the repository's `.github/atom.yml` (on the default branch) is invalid.

        ```
        {error}
        ```

        Fix the file on the default branch, then remove and re-apply the label.
        """;

    public static string NotPermitted(string login, string label) => $"""
        Thanks, @{login}. Atom only takes work from people who can approve it (write, maintain or admin permission, or
        listed in `approvers` in `.github/atom.yml`), so this `{label}` label was not acted on. A maintainer can apply it instead.
        """;

    public static string Cancelled(AtomTask task, string reason)
    {
        ArgumentNullException.ThrowIfNull(task);
        return $"Atom stopped task {task.Id} because {reason}. Nothing was merged. Re-apply the label to start again.";
    }

    /// <summary>A task stopped at a budget: what happened, what stays, and how to continue.</summary>
    public static string BudgetStopped(AtomTask task, BudgetStop stop)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(stop);
        var what = stop.Limit == BudgetLimit.Task
            ? $"this task has used **{BudgetStop.N(stop.Used)} tokens** (prompt + completion) and its budget is **{BudgetStop.N(stop.Budget)}** (`{stop.Setting}` in `.github/atom.yml`)"
            : $"this repository has used **{BudgetStop.N(stop.Used)} tokens** (prompt + completion) in {stop.Month} and its monthly budget is **{BudgetStop.N(stop.Budget)}** (`{stop.Setting}` in `.github/atom.yml`; it resets on {Day(stop.ResetsAt)})";
        var next = stop.Limit == BudgetLimit.Task
            ? $"raise `{stop.Setting}` in `.github/atom.yml` on the default branch (or set it to 0 for no limit), then comment `/retry` here. The budget counts the whole task, every round and retry included, so raise it above {BudgetStop.N(stop.Used)}."
            : $"raise `{stop.Setting}` in `.github/atom.yml` on the default branch (or wait until {Day(stop.ResetsAt)}), then comment `/retry` here.";
        return $"""
            ⏹️ Atom stopped task {task.Id} at its next step because {what}.

            Nothing was merged. What the workers had pushed stays on their branches{(task.Branch is null ? "" : $" (`{task.Branch}`)")}, and the task is `failed` with the budget as its reason.

            **To continue:** {next}
            """;
    }

    /// <summary>A new task refused because the repository's monthly budget is used up.</summary>
    public static string MonthlyBudgetRefused(string login, BudgetStop stop)
    {
        ArgumentNullException.ThrowIfNull(stop);
        return $"""
            Thanks, @{login}. Atom cannot take this issue right now: this repository has used **{BudgetStop.N(stop.Used)} tokens** (prompt + completion) in {stop.Month}, and its monthly budget is **{BudgetStop.N(stop.Budget)}** (`{stop.Setting}` in `.github/atom.yml`).

            The budget resets on {Day(stop.ResetsAt)}. To go on sooner, a maintainer can raise `{stop.Setting}` on the default branch (0 = no limit); then remove and re-apply the label.
            """;
    }

    private static string Day(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) + " (UTC)";
}
