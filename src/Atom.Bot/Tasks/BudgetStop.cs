using System.Globalization;

namespace Atom.Bot.Tasks;

/// <summary>A budget reached: which, the tokens used against it, and (for the month) the month and when it resets.</summary>
public sealed record BudgetStop(BudgetLimit Limit, long Used, long Budget, string Month, DateTimeOffset ResetsAt)
{
    /// <summary>The setting to raise, as <c>.github/atom.yml</c> spells it.</summary>
    public string Setting => Limit == BudgetLimit.Task ? "budget.max_tokens_per_task" : "budget.max_tokens_per_month";

    /// <summary>One line for the task's state reason, the audit log and the log.</summary>
    public string Reason => Limit == BudgetLimit.Task
        ? $"token budget reached: the task used {N(Used)} tokens of its {N(Budget)} (`{Setting}`)"
        : $"monthly token budget reached: the repository used {N(Used)} tokens of its {N(Budget)} in {Month} (`{Setting}`)";

    public static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
