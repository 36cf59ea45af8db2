using System.Globalization;
using Atom.Bot.Storage;

namespace Atom.Bot.Approval;

/// <summary>Approvals by SHA and the merge claim. Counting is by distinct login on one SHA; uniqueness is a constraint.</summary>
public sealed class ApprovalStore(AtomDatabase database, TimeProvider clock)
{
    /// <summary>Records the approval; false when this person had already approved this SHA.</summary>
    public async Task<bool> AddAsync(long taskId, string login, string sha, ApprovalSource source, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            """
            INSERT INTO approvals (task_id, login, sha, source, created_at) VALUES ($task, $login, $sha, $source, $now)
            ON CONFLICT (task_id, login, sha) DO NOTHING
            """,
            cancellationToken,
            ("$task", taskId),
            ("$login", login.ToLowerInvariant()),
            ("$sha", sha),
            ("$source", source.ToString().ToLowerInvariant()),
            ("$now", clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture))) == 1;

    /// <summary>Marks every approval of another SHA stale; returns how many became stale.</summary>
    public Task<int> MarkStaleAsync(long taskId, string currentSha, CancellationToken cancellationToken) =>
        database.ExecuteAsync("UPDATE approvals SET stale = 1 WHERE task_id = $task AND sha <> $sha AND stale = 0", cancellationToken, ("$task", taskId), ("$sha", currentSha));

    /// <summary>Marks every approval of the task stale (a revision was requested).</summary>
    public Task<int> MarkAllStaleAsync(long taskId, CancellationToken cancellationToken) => MarkStaleAsync(taskId, "", cancellationToken);

    public Task<IReadOnlyList<ApprovalRecord>> ListAsync(long taskId, CancellationToken cancellationToken) =>
        database.QueryAsync(
            "SELECT task_id, login, sha, source, stale, created_at FROM approvals WHERE task_id = $task ORDER BY id",
            reader => new ApprovalRecord(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                Enum.Parse<ApprovalSource>(reader.GetString(3), ignoreCase: true),
                reader.GetInt64(4) != 0,
                DateTimeOffset.Parse(reader.GetString(5), CultureInfo.InvariantCulture)),
            cancellationToken,
            ("$task", taskId));

    /// <summary>Distinct people whose approval of <paramref name="sha"/> is still valid.</summary>
    public async Task<IReadOnlyList<string>> ValidApproversAsync(long taskId, string sha, CancellationToken cancellationToken) =>
        (await ListAsync(taskId, cancellationToken)).Where(a => !a.Stale && a.Sha == sha).Select(a => a.Login).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Takes the right to merge <paramref name="sha"/>; false when another signal is already merging.</summary>
    public async Task<bool> ClaimMergeAsync(long taskId, string sha, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "UPDATE tasks SET merge_claim = $sha WHERE id = $task AND merge_claim IS NULL AND state = 'awaiting_approval'",
            cancellationToken,
            ("$task", taskId),
            ("$sha", sha)) == 1;

    public Task ReleaseMergeAsync(long taskId, CancellationToken cancellationToken) =>
        database.ExecuteAsync("UPDATE tasks SET merge_claim = NULL WHERE id = $task", cancellationToken, ("$task", taskId));
}
