using System.Data.Common;
using System.Globalization;
using Atom.Bot.Storage;
using Atom.Bot.Telemetry;

namespace Atom.Bot.Tasks;

/// <summary>
/// Tasks and their state history. Every transition is a compare-and-set in one transaction with its event, and counts in
/// <c>atom.task.transitions</c> by the state entered (given <paramref name="metrics"/>).
/// </summary>
public sealed class TaskStore(AtomDatabase database, TimeProvider clock, AtomMetrics? metrics = null)
{
    private const string Columns = """
        id, repository, repository_id, installation_id, clone_url, default_branch, issue_number, issue_title,
        issue_body, issue_body_clean, requested_by, state, state_reason, acknowledged_at, created_at, updated_at, round, plan, branch, pull_request, head_sha, package, human_rounds, requested_by_id, certified_at
        """;

    public async Task<TaskCreation> CreateAsync(NewTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        var now = Now();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        long id;
        try
        {
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO tasks (repository, repository_id, installation_id, clone_url, default_branch, issue_number, issue_title,
                                   issue_body, issue_body_clean, requested_by, requested_by_id, state, created_at, updated_at)
                VALUES ($repository, $repositoryId, $installationId, $cloneUrl, $defaultBranch, $issue, $title,
                        $body, $clean, $requestedBy, $requestedById, 'accepted', $now, $now)
                RETURNING id
                """;
            insert.Bind("$repository", task.Repository);
            insert.Bind("$repositoryId", task.RepositoryId);
            insert.Bind("$installationId", (object?)task.InstallationId ?? DBNull.Value);
            insert.Bind("$cloneUrl", task.CloneUrl);
            insert.Bind("$defaultBranch", task.DefaultBranch);
            insert.Bind("$issue", task.IssueNumber);
            insert.Bind("$title", task.IssueTitle);
            insert.Bind("$body", task.IssueBody);
            insert.Bind("$clean", IssueText.Clean(task.IssueBody));
            insert.Bind("$requestedBy", task.RequestedBy);
            insert.Bind("$requestedById", (object?)task.RequestedById ?? DBNull.Value);
            insert.Bind("$now", now);
            id = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (DbException ex) when (AtomDatabase.IsConstraintViolation(ex))
        {
            await transaction.RollbackAsync(cancellationToken);
            var active = await FindActiveAsync(task.RepositoryId, task.IssueNumber, cancellationToken)
                ?? throw new InvalidOperationException("An active task blocked the insert but cannot be found.", ex);
            return new TaskCreation(active, Created: false);
        }

        await InsertEventAsync(connection, transaction, id, null, TaskState.Accepted, task.RequestedBy, "labelled", now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        Entered(TaskState.Accepted);
        return new TaskCreation((await GetAsync(id, cancellationToken))!, Created: true);
    }

    private void Entered(TaskState state) => metrics?.TransitionCount.Add(1, new KeyValuePair<string, object?>("state", state.ToName()));

    public async Task<AtomTask?> GetAsync(long id, CancellationToken cancellationToken)
    {
        var tasks = await QueryAsync($"SELECT {Columns} FROM tasks WHERE id = $id", cancellationToken, ("$id", id));
        return tasks.Count == 0 ? null : tasks[0];
    }

    public async Task<AtomTask?> FindActiveAsync(long repositoryId, int issueNumber, CancellationToken cancellationToken)
    {
        var tasks = await QueryAsync(
            $"SELECT {Columns} FROM tasks WHERE repository_id = $repo AND issue_number = $issue AND state IN ({ActiveStates}) ORDER BY id DESC LIMIT 1",
            cancellationToken,
            ("$repo", repositoryId),
            ("$issue", issueNumber));
        return tasks.Count == 0 ? null : tasks[0];
    }

    /// <summary>The newest task whose certification package is the pull request <paramref name="number"/>.</summary>
    public async Task<AtomTask?> FindByPullRequestAsync(long repositoryId, int number, CancellationToken cancellationToken)
    {
        var tasks = await QueryAsync(
            $"SELECT {Columns} FROM tasks WHERE repository_id = $repo AND pull_request = $number ORDER BY id DESC LIMIT 1",
            cancellationToken,
            ("$repo", repositoryId),
            ("$number", number));
        return tasks.Count == 0 ? null : tasks[0];
    }

    /// <summary>The task whose merge waits on checks of <paramref name="sha"/> (state <c>merge_blocked</c>, that certified head), if any.</summary>
    public async Task<AtomTask?> FindBlockedOnAsync(long repositoryId, string sha, CancellationToken cancellationToken)
    {
        var found = await QueryAsync(
            $"SELECT {Columns} FROM tasks WHERE repository_id = $repo AND head_sha = $sha AND state = 'merge_blocked' ORDER BY id DESC LIMIT 1",
            cancellationToken, ("$repo", repositoryId), ("$sha", sha));
        return found.Count == 0 ? null : found[0];
    }

    /// <summary>The newest task of an issue, active or not (for <c>/status</c>, <c>/retry</c>).</summary>
    public async Task<AtomTask?> FindLatestAsync(long repositoryId, int issueNumber, CancellationToken cancellationToken)
    {
        var tasks = await QueryAsync(
            $"SELECT {Columns} FROM tasks WHERE repository_id = $repo AND issue_number = $issue ORDER BY id DESC LIMIT 1",
            cancellationToken,
            ("$repo", repositoryId),
            ("$issue", issueNumber));
        return tasks.Count == 0 ? null : tasks[0];
    }

    public Task<IReadOnlyList<AtomTask>> ListUnfinishedAsync(CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {Columns} FROM tasks WHERE state IN ({ActiveStates}) ORDER BY id", cancellationToken);

    /// <summary>A repository's newest tasks, newest first: the evidence gap detection reads.</summary>
    public Task<IReadOnlyList<AtomTask>> ListForRepositoryAsync(long repositoryId, int limit, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {Columns} FROM tasks WHERE repository_id = $repo ORDER BY id DESC LIMIT $limit", cancellationToken, ("$repo", repositoryId), ("$limit", limit));

    public Task<IReadOnlyList<AtomTask>> ListRecentAsync(int limit, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {Columns} FROM tasks ORDER BY id DESC LIMIT $limit", cancellationToken, ("$limit", limit));

    public async Task<IReadOnlyDictionary<TaskState, int>> CountByStateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT state, COUNT(*) FROM tasks GROUP BY state";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var counts = new Dictionary<TaskState, int>();
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[TaskStates.Parse(reader.GetString(0))] = reader.GetInt32(1);
        }

        return counts;
    }

    /// <summary>
    /// Makes <paramref name="transition"/> if the task is in one of its starting states, as a compare-and-set in one
    /// transaction with its history row; false when the task is elsewhere (another job moved it first).
    /// </summary>
    public async Task<bool> TransitionAsync(long id, TaskTransition transition, string actor, string? reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transition);
        var from = transition.From;
        var to = transition.To;
        var now = Now();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var select = connection.CreateCommand();
        select.Transaction = transaction;
        select.CommandText = "SELECT state FROM tasks WHERE id = $id";
        select.Bind("$id", id);
        if (await select.ExecuteScalarAsync(cancellationToken) is not string current || !from.Contains(TaskStates.Parse(current)))
        {
            return false;
        }

        await using var update = connection.CreateCommand();
        update.Transaction = transaction;
        update.CommandText = "UPDATE tasks SET state = $to, state_reason = $reason, updated_at = $now WHERE id = $id AND state = $from";
        update.Bind("$to", to.ToName());
        update.Bind("$reason", (object?)reason ?? DBNull.Value);
        update.Bind("$now", now);
        update.Bind("$id", id);
        update.Bind("$from", current);
        try
        {
            if (await update.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                return false;
            }
        }
        catch (DbException ex) when (AtomDatabase.IsConstraintViolation(ex))
        {
            // Re-activating a task while another task of the same issue is active.
            return false;
        }

        await InsertEventAsync(connection, transaction, id, TaskStates.Parse(current), to, actor, reason, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        Entered(to);
        return true;
    }

    /// <summary>
    /// Changes why a task is in <paramref name="state"/> without moving it (a blocked merge now blocked by something else);
    /// false when the task is no longer there.
    /// </summary>
    public async Task<bool> RestateAsync(long id, TaskState state, string reason, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "UPDATE tasks SET state_reason = $reason, updated_at = $now WHERE id = $id AND state = $state",
            cancellationToken,
            ("$reason", reason),
            ("$now", Now()),
            ("$id", id),
            ("$state", state.ToName())) == 1;

    /// <summary>Records that the acknowledgement was posted; false when it already was (a re-run must not post twice).</summary>
    /// <summary>
    /// Claims the acknowledgement of a task not yet acknowledged: true for exactly one of several jobs running at once,
    /// or for a job taking over a claim older than <paramref name="staleAfter"/> (whose job died before commenting).
    /// </summary>
    public async Task<bool> ClaimAcknowledgementAsync(long id, TimeSpan staleAfter, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "UPDATE tasks SET ack_claimed_at = $now WHERE id = $id AND acknowledged_at IS NULL AND (ack_claimed_at IS NULL OR ack_claimed_at < $stale)",
            cancellationToken,
            ("$now", Now()),
            ("$stale", clock.GetUtcNow().Subtract(staleAfter).ToString("O", CultureInfo.InvariantCulture)),
            ("$id", id)) == 1;

    /// <summary>Gives a claim back after the acknowledgement failed, so that the next run posts it.</summary>
    public async Task ReleaseAcknowledgementAsync(long id, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "UPDATE tasks SET ack_claimed_at = NULL WHERE id = $id AND acknowledged_at IS NULL",
            cancellationToken,
            ("$id", id));

    public async Task<bool> MarkAcknowledgedAsync(long id, long commentId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE tasks SET acknowledged_at = $now, ack_comment_id = $comment, updated_at = $now WHERE id = $id AND acknowledged_at IS NULL";
        command.Bind("$now", Now());
        command.Bind("$comment", commentId);
        command.Bind("$id", id);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Stores the validated plan and the task branch (once per task; a re-run keeps the first).</summary>
    public async Task<bool> SetPlanAsync(long id, string planJson, string branch, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "UPDATE tasks SET plan = $plan, branch = $branch, updated_at = $now WHERE id = $id AND plan IS NULL",
            cancellationToken,
            ("$plan", planJson),
            ("$branch", branch),
            ("$now", Now()),
            ("$id", id)) == 1;

    /// <summary>
    /// Records the posted package: its pull request, the certified head SHA, the package JSON and, when the head changes,
    /// <paramref name="certifiedAt"/>: the moment this head was certified, before which no <c>/approve</c> comment approves it.
    /// </summary>
    public Task SetPackageAsync(long id, int pullRequest, string headSha, string packageJson, DateTimeOffset certifiedAt, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            """
            UPDATE tasks SET pull_request = $pr, package = $package, updated_at = $now,
                certified_at = CASE WHEN head_sha IS NOT DISTINCT FROM $sha AND certified_at IS NOT NULL THEN certified_at ELSE $certifiedAt END, head_sha = $sha
            WHERE id = $id
            """,
            cancellationToken,
            ("$pr", pullRequest),
            ("$sha", headSha),
            ("$certifiedAt", certifiedAt.ToString("O", CultureInfo.InvariantCulture)),
            ("$package", packageJson),
            ("$now", Now()),
            ("$id", id));

    /// <summary>
    /// Starts the next work round (a revision); false when another writer already moved past <paramref name="currentRound"/>.
    /// The certified head is cleared in the same statement: nothing can be approved until the new round is certified.
    /// </summary>
    public async Task<bool> NextRoundAsync(long id, int currentRound, bool byHuman, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            """
            UPDATE tasks SET round = round + 1, human_rounds = human_rounds + $human, merge_claim = NULL, head_sha = NULL, certified_at = NULL, updated_at = $now
            WHERE id = $id AND round = $round
            """,
            cancellationToken,
            ("$human", byHuman ? 1 : 0),
            ("$now", Now()),
            ("$id", id),
            ("$round", currentRound)) == 1;

    public async Task<IReadOnlyList<TaskEvent>> EventsAsync(long taskId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, task_id, from_state, to_state, actor, reason, at FROM task_events WHERE task_id = $id ORDER BY id";
        command.Bind("$id", taskId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var events = new List<TaskEvent>();
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new TaskEvent(
                reader.GetInt64(0),
                reader.GetInt64(1),
                reader.IsDBNull(2) ? null : TaskStates.Parse(reader.GetString(2)),
                TaskStates.Parse(reader.GetString(3)),
                reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                DateTimeOffset.Parse(reader.GetString(6), CultureInfo.InvariantCulture)));
        }

        return events;
    }

    private static readonly string ActiveStates = string.Join(", ",
        TaskStates.Active.Select(s => $"'{s.ToName()}'"));

    private string Now() => clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);

    private static async Task InsertEventAsync(DbConnection connection, DbTransaction transaction, long taskId, TaskState? from, TaskState to, string actor, string? reason, string at, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO task_events (task_id, from_state, to_state, actor, reason, at) VALUES ($task, $from, $to, $actor, $reason, $at)";
        command.Bind("$task", taskId);
        command.Bind("$from", from is { } f ? f.ToName() : DBNull.Value);
        command.Bind("$to", to.ToName());
        command.Bind("$actor", actor);
        command.Bind("$reason", (object?)reason ?? DBNull.Value);
        command.Bind("$at", at);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private Task<IReadOnlyList<AtomTask>> QueryAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        database.QueryAsync(sql, reader => new AtomTask
        {
            Id = reader.GetInt64(0),
            Repository = reader.GetString(1),
            RepositoryId = reader.GetInt64(2),
            InstallationId = reader.IsDBNull(3) ? null : reader.GetInt64(3),
            CloneUrl = reader.GetString(4),
            DefaultBranch = reader.GetString(5),
            IssueNumber = reader.GetInt32(6),
            IssueTitle = reader.GetString(7),
            IssueBody = reader.GetString(8),
            IssueBodyClean = reader.GetString(9),
            RequestedBy = reader.GetString(10),
            State = TaskStates.Parse(reader.GetString(11)),
            StateReason = reader.IsDBNull(12) ? null : reader.GetString(12),
            AcknowledgedAt = reader.IsDBNull(13) ? null : DateTimeOffset.Parse(reader.GetString(13), CultureInfo.InvariantCulture),
            CreatedAt = DateTimeOffset.Parse(reader.GetString(14), CultureInfo.InvariantCulture),
            UpdatedAt = DateTimeOffset.Parse(reader.GetString(15), CultureInfo.InvariantCulture),
            Round = reader.GetInt32(16),
            Plan = reader.IsDBNull(17) ? null : reader.GetString(17),
            Branch = reader.IsDBNull(18) ? null : reader.GetString(18),
            PullRequest = reader.IsDBNull(19) ? null : reader.GetInt32(19),
            HeadSha = reader.IsDBNull(20) ? null : reader.GetString(20),
            Package = reader.IsDBNull(21) ? null : reader.GetString(21),
            HumanRounds = reader.GetInt32(22),
            RequestedById = reader.IsDBNull(23) ? null : reader.GetInt64(23),
            CertifiedAt = reader.IsDBNull(24) ? null : DateTimeOffset.Parse(reader.GetString(24), CultureInfo.InvariantCulture),
        }, cancellationToken, parameters);
}
