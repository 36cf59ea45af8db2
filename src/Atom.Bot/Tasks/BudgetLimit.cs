namespace Atom.Bot.Tasks;

/// <summary>Which budget of <c>.github/atom.yml</c> was reached.</summary>
public enum BudgetLimit
{
    /// <summary><c>budget.max_tokens_per_task</c>.</summary>
    Task,

    /// <summary><c>budget.max_tokens_per_month</c>: the repository's tokens in the calendar month (UTC).</summary>
    Month,
}
