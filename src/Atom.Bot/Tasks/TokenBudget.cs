using System.Globalization;
using Atom.Bot.Configuration;
using Atom.Bot.Storage;

namespace Atom.Bot.Tasks;

/// <summary>
/// The budgets of <c>.github/atom.yml</c> (<c>budget.max_tokens_per_task</c>, <c>budget.max_tokens_per_month</c>),
/// checked against the tokens stored for every answered LLM request (<c>llm_usage</c>), never against a process's own
/// counters: every instance sees the same spend, and a restart forgets none of it. Tokens are prompt + completion.
/// </summary>
public sealed class TokenBudget(AtomDatabase database, TimeProvider clock)
{
    /// <summary>
    /// Whether <paramref name="task"/> may make another LLM request: null when it may, else the budget it reached (the
    /// task's own first, then its repository's month). The whole task counts, every round and every <c>/retry</c>: the
    /// budget caps what one issue costs, and only a change on the default branch raises it.
    /// </summary>
    public async Task<BudgetStop?> CheckTaskAsync(AtomTask task, BudgetSettings budget, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(budget);
        if (budget.MaxTokensPerTask == 0 && budget.MaxTokensPerMonth == 0)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        var taskUsed = budget.MaxTokensPerTask == 0 ? 0 : await TaskTokensAsync(task.Id, cancellationToken);
        var monthUsed = budget.MaxTokensPerMonth == 0 ? 0 : await MonthTokensAsync(task.RepositoryId, now, cancellationToken);
        return Check(budget, taskUsed, monthUsed, now);
    }

    /// <summary>Whether the repository may start a new task: null, or its month's budget reached.</summary>
    public async Task<BudgetStop?> CheckRepositoryAsync(long repositoryId, BudgetSettings budget, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(budget);
        if (budget.MaxTokensPerMonth == 0)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        return Check(budget with { MaxTokensPerTask = 0 }, 0, await MonthTokensAsync(repositoryId, now, cancellationToken), now);
    }

    /// <summary>The arithmetic: a budget is reached when the tokens used are at least the budget; 0 is no limit.</summary>
    public static BudgetStop? Check(BudgetSettings budget, long taskUsed, long monthUsed, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(budget);
        var month = MonthOf(now);
        var resets = FirstOfMonth(now).AddMonths(1);
        if (budget.MaxTokensPerTask > 0 && taskUsed >= budget.MaxTokensPerTask)
        {
            return new BudgetStop(BudgetLimit.Task, taskUsed, budget.MaxTokensPerTask, month, resets);
        }

        return budget.MaxTokensPerMonth > 0 && monthUsed >= budget.MaxTokensPerMonth
            ? new BudgetStop(BudgetLimit.Month, monthUsed, budget.MaxTokensPerMonth, month, resets)
            : null;
    }

    private static DateTimeOffset FirstOfMonth(DateTimeOffset time) => new(time.UtcDateTime.Year, time.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero);

    public static string MonthOf(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>Prompt + completion tokens of every stored request of the task.</summary>
    public async Task<long> TaskTokensAsync(long taskId, CancellationToken cancellationToken) =>
        (await TaskModelsAsync(taskId, cancellationToken)).Sum(m => m.TokensIn + m.TokensOut);

    /// <summary>The task's stored tokens by model (what its package prices).</summary>
    public Task<IReadOnlyList<ModelTokens>> TaskModelsAsync(long taskId, CancellationToken cancellationToken) =>
        database.QueryAsync(
            """
            SELECT model, CAST(SUM(tokens_in) AS BIGINT), CAST(SUM(tokens_out) AS BIGINT)
            FROM llm_usage WHERE task_id = $task GROUP BY model ORDER BY model
            """,
            r => new ModelTokens(r.GetString(0), r.GetInt64(1), r.GetInt64(2)),
            cancellationToken,
            ("$task", taskId));

    /// <summary>Prompt + completion tokens of the repository's tasks in the calendar month (UTC) of <paramref name="now"/>.</summary>
    public async Task<long> MonthTokensAsync(long repositoryId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = await database.QueryAsync(
            """
            SELECT CAST(COALESCE(SUM(u.tokens_in + u.tokens_out), 0) AS BIGINT)
            FROM llm_usage u JOIN tasks t ON t.id = u.task_id
            WHERE t.repository_id = $repository AND u.at >= $from AND u.at < $to
            """,
            r => r.GetInt64(0),
            cancellationToken,
            ("$repository", repositoryId),
            // `at` is ISO 8601 UTC text: a month is the range of its prefix, which the index on `at` serves.
            ("$from", MonthOf(now)),
            ("$to", MonthOf(FirstOfMonth(now).AddMonths(1))));
        return rows[0];
    }
}
