using System.Globalization;
using System.Text.Json;
using Atom.Bot.Storage;
using Atom.Bot.Workers;

namespace Atom.Bot.Tasks;

/// <summary>
/// Assignments of each task round. A worker claims its row before it works and writes its result with that claim, so
/// a job that Hangfire runs twice (a retry, a restart) has the effect of running once.
/// </summary>
public sealed class AssignmentStore(AtomDatabase database, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string Columns = "id, task_id, round, ordinal, title, instructions, feedback, scope, branch, state, attempts, claim_id, result, claimed_by";

    /// <summary>Creates the round's assignments once; a second call for the same round returns what the first stored.</summary>
    public async Task<IReadOnlyList<Assignment>> CreateRoundAsync(long taskId, int round, IReadOnlyList<NewAssignment> assignments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assignments);
        await using (var connection = await database.OpenAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            foreach (var a in assignments)
            {
                await using var insert = connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = """
                    INSERT INTO assignments (task_id, round, ordinal, title, instructions, feedback, scope, branch, state, created_at)
                    VALUES ($task, $round, $ordinal, $title, $instructions, $feedback, $scope, $branch, 'queued', $now)
                    ON CONFLICT (task_id, round, ordinal) DO NOTHING
                    """;
                insert.Bind("$task", taskId);
                insert.Bind("$round", round);
                insert.Bind("$ordinal", a.Ordinal);
                insert.Bind("$title", a.Title);
                insert.Bind("$instructions", a.Instructions);
                insert.Bind("$feedback", (object?)a.Feedback ?? DBNull.Value);
                insert.Bind("$scope", JsonSerializer.Serialize(a.Scope, Json));
                insert.Bind("$branch", a.Branch);
                insert.Bind("$now", Now());
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        return await ListRoundAsync(taskId, round, cancellationToken);
    }

    public async Task<Assignment?> GetAsync(long id, CancellationToken cancellationToken) =>
        (await QueryAsync($"SELECT {Columns} FROM assignments WHERE id = $id", cancellationToken, ("$id", id))).SingleOrDefault();

    public Task<IReadOnlyList<Assignment>> ListRoundAsync(long taskId, int round, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {Columns} FROM assignments WHERE task_id = $task AND round = $round ORDER BY ordinal", cancellationToken, ("$task", taskId), ("$round", round));

    public Task<IReadOnlyList<Assignment>> ListForTaskAsync(long taskId, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {Columns} FROM assignments WHERE task_id = $task ORDER BY round, ordinal", cancellationToken, ("$task", taskId));

    public async Task<int> CountRoundAsync(long taskId, int round, CancellationToken cancellationToken) =>
        (await database.QueryAsync("SELECT COUNT(*) FROM assignments WHERE task_id = $task AND round = $round", r => r.GetInt32(0), cancellationToken, ("$task", taskId), ("$round", round)))[0];

    /// <summary>Assignments not yet finished whose task is still working: what a restart must run again.</summary>
    public Task<IReadOnlyList<Assignment>> ListUnfinishedAsync(CancellationToken cancellationToken) =>
        QueryAsync($"""
            SELECT {Columns} FROM assignments
            WHERE state IN ('queued','running') AND task_id IN (SELECT id FROM tasks WHERE state = 'working')
            ORDER BY id
            """, cancellationToken);

    /// <summary>
    /// Takes the assignment for one run by <paramref name="instance"/>: a queued one, or a running one whose claim has
    /// not been refreshed (<see cref="HeartbeatAsync"/>) for <paramref name="takeoverAfter"/>, because the instance
    /// that holds it died. Null when it is finished or cancelled, or held by a live run (<see cref="HeldUntilAsync"/>).
    /// </summary>
    public async Task<Assignment?> ClaimAsync(long id, string instance, TimeSpan takeoverAfter, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var claimed = await database.ExecuteAsync(
            """
            UPDATE assignments SET state = 'running', attempts = attempts + 1, claim_id = $claim, claimed_by = $instance, started_at = $now, heartbeat_at = $now
            WHERE id = $id AND (state = 'queued' OR (state = 'running' AND (heartbeat_at IS NULL OR heartbeat_at < $stale)))
            """,
            cancellationToken,
            ("$claim", Guid.NewGuid().ToString("N")),
            ("$instance", instance),
            ("$now", Time(now)),
            ("$stale", Time(now - takeoverAfter)),
            ("$id", id));
        return claimed == 1 ? await GetAsync(id, cancellationToken) : null;
    }

    /// <summary>
    /// When a live run holds the assignment: the moment its claim may be taken over if no heartbeat comes before
    /// (null when nobody holds it: finished, cancelled or queued).
    /// </summary>
    public async Task<DateTimeOffset?> HeldUntilAsync(long id, TimeSpan takeoverAfter, CancellationToken cancellationToken) =>
        (await database.QueryAsync(
            "SELECT heartbeat_at FROM assignments WHERE id = $id AND state = 'running' AND heartbeat_at IS NOT NULL",
            r => ParseTime(r.GetString(0)) + takeoverAfter,
            cancellationToken,
            ("$id", id))).Cast<DateTimeOffset?>().SingleOrDefault();

    /// <summary>Keeps the claim alive; false when it was lost (cancelled, finished, or taken over).</summary>
    public async Task<bool> HeartbeatAsync(long id, string claimId, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "UPDATE assignments SET heartbeat_at = $now WHERE id = $id AND claim_id = $claim AND state = 'running'",
            cancellationToken,
            ("$now", Now()),
            ("$id", id),
            ("$claim", claimId)) == 1;

    /// <summary>Writes the result under the claim; false when another run claimed the assignment since, or it was cancelled.</summary>
    public async Task<bool> FinishAsync(long id, string claimId, AssignmentState state, AssignmentResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        return await database.ExecuteAsync(
            """
            UPDATE assignments SET state = $state, result = $result, finished_at = $now
            WHERE id = $id AND claim_id = $claim AND state = 'running'
            """,
            cancellationToken,
            ("$state", Name(state)),
            ("$result", JsonSerializer.Serialize(result, Json)),
            ("$now", Now()),
            ("$id", id),
            ("$claim", claimId)) == 1;
    }

    /// <summary>Puts a claimed assignment back in the queue (the run threw and Hangfire will retry it).</summary>
    public Task ReleaseAsync(long id, string claimId, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            "UPDATE assignments SET state = 'queued', claim_id = NULL, claimed_by = NULL, heartbeat_at = NULL WHERE id = $id AND claim_id = $claim AND state = 'running'",
            cancellationToken,
            ("$id", id),
            ("$claim", claimId));

    /// <summary>Remembers the Hangfire job that runs the assignment, so that <c>/cancel</c> can delete it.</summary>
    public Task SetJobAsync(long id, string jobId, CancellationToken cancellationToken) =>
        database.ExecuteAsync("UPDATE assignments SET job_id = $job WHERE id = $id", cancellationToken, ("$job", jobId), ("$id", id));

    /// <summary>Hangfire jobs of the task's unfinished assignments.</summary>
    public Task<IReadOnlyList<string>> UnfinishedJobsAsync(long taskId, CancellationToken cancellationToken) =>
        database.QueryAsync(
            "SELECT job_id FROM assignments WHERE task_id = $task AND state IN ('queued','running') AND job_id IS NOT NULL",
            r => r.GetString(0),
            cancellationToken,
            ("$task", taskId));

    /// <summary>True while the assignment is still wanted under this claim (not cancelled, not claimed by another run).</summary>
    public async Task<bool> IsClaimedAsync(long id, string claimId, CancellationToken cancellationToken) =>
        (await database.QueryAsync(
            "SELECT COUNT(*) FROM assignments WHERE id = $id AND claim_id = $claim AND state = 'running'",
            r => r.GetInt64(0),
            cancellationToken,
            ("$id", id),
            ("$claim", claimId)))[0] == 1;

    /// <summary>Cancels every unfinished assignment of the task; returns how many.</summary>
    public Task<int> CancelTaskAsync(long taskId, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            "UPDATE assignments SET state = 'cancelled', finished_at = $now WHERE task_id = $task AND state IN ('queued','running')",
            cancellationToken,
            ("$now", Now()),
            ("$task", taskId));

    private Task<IReadOnlyList<Assignment>> QueryAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        database.QueryAsync(sql, reader => new Assignment
        {
            Id = reader.GetInt64(0),
            TaskId = reader.GetInt64(1),
            Round = reader.GetInt32(2),
            Ordinal = reader.GetInt32(3),
            Title = reader.GetString(4),
            Instructions = reader.GetString(5),
            Feedback = reader.IsDBNull(6) ? null : reader.GetString(6),
            Scope = JsonSerializer.Deserialize<Scope>(reader.GetString(7), Json)!,
            Branch = reader.GetString(8),
            State = Parse(reader.GetString(9)),
            Attempts = reader.GetInt32(10),
            ClaimId = reader.IsDBNull(11) ? null : reader.GetString(11),
            Result = reader.IsDBNull(12) ? null : JsonSerializer.Deserialize<AssignmentResult>(reader.GetString(12), Json),
            ClaimedBy = reader.IsDBNull(13) ? null : reader.GetString(13),
        }, cancellationToken, parameters);

    private static string Name(AssignmentState state) => state.ToString().ToLowerInvariant();

    private static AssignmentState Parse(string name) => Enum.Parse<AssignmentState>(name, ignoreCase: true);

    private string Now() => Time(clock.GetUtcNow());

    private static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
