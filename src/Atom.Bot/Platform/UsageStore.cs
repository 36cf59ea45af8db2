using System.Globalization;
using Atom.Bot.Llm;
using Atom.Bot.Storage;

namespace Atom.Bot.Platform;

/// <summary>
/// Every answered LLM request's tokens in the store (<c>llm_usage</c>), so that what a task, a repository or a model has
/// cost survives restarts and is the same on every instance: <c>atom usage</c> and <c>/status</c> read it.
/// </summary>
public sealed class UsageStore(AtomDatabase database) : ILlmUsageSink
{
    /// <summary>Requests answered without a task (none today) are counted under this name.</summary>
    public const string NoTask = "(no task)";

    public Task RecordAsync(LlmUsageRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return database.ExecuteAsync(
            "INSERT INTO llm_usage (task_id, endpoint, model, tokens_in, tokens_out, at) VALUES ($task, $endpoint, $model, $in, $out, $at)",
            cancellationToken,
            ("$task", record.TaskId),
            ("$endpoint", LlmPool.Name(record.Endpoint)),
            ("$model", record.Model),
            ("$in", record.TokensIn),
            ("$out", record.TokensOut),
            ("$at", record.At.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)));
    }

    /// <summary>The stored tokens of each of <paramref name="taskIds"/> that made a request (the status page's usage column).</summary>
    public async Task<IReadOnlyDictionary<long, TaskUsage>> ForTasksAsync(IReadOnlyCollection<long> taskIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskIds);
        if (taskIds.Count == 0)
        {
            return new Dictionary<long, TaskUsage>();
        }

        var parameters = taskIds.Select((id, i) => ($"$t{i}", (object?)id)).ToArray();
        var rows = await database.QueryAsync(
            $"""
            SELECT task_id, COUNT(*), CAST(SUM(tokens_in) AS BIGINT), CAST(SUM(tokens_out) AS BIGINT)
            FROM llm_usage WHERE task_id IN ({string.Join(", ", parameters.Select(p => p.Item1))})
            GROUP BY task_id
            """,
            r => new TaskUsage(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3)),
            cancellationToken,
            parameters);
        return rows.ToDictionary(r => r.TaskId);
    }

    /// <summary>Tokens by repository and model, of one month (<c>yyyy-MM</c>) or all time, of one repository or all.</summary>
    public Task<IReadOnlyList<UsageRow>> SummaryAsync(string? repository, string? month, CancellationToken cancellationToken)
    {
        var conditions = new List<string>();
        var parameters = new List<(string, object?)>();
        if (month is not null)
        {
            conditions.Add("substr(u.at, 1, 7) = $month");
            parameters.Add(("$month", month));
        }

        if (repository is not null)
        {
            conditions.Add("t.repository = $repository");
            parameters.Add(("$repository", repository));
        }

        var where = conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", conditions);
        return database.QueryAsync(
            $"""
            SELECT COALESCE(t.repository, '{NoTask}'), u.model, COUNT(DISTINCT u.task_id), COUNT(*),
                   CAST(SUM(u.tokens_in) AS BIGINT), CAST(SUM(u.tokens_out) AS BIGINT)
            FROM llm_usage u LEFT JOIN tasks t ON t.id = u.task_id
            {where}
            GROUP BY COALESCE(t.repository, '{NoTask}'), u.model
            ORDER BY 1, 2
            """,
            r => new UsageRow(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5)),
            cancellationToken,
            [.. parameters]);
    }
}
