using System.Globalization;
using Atom.Bot.GitHub;
using Atom.Bot.Storage;

namespace Atom.Bot.Approval;

/// <summary>
/// Approvals by SHA and the merge claim. Counting is by distinct user id on one SHA; uniqueness (one approval per person and
/// SHA, by login and by id) is a constraint.
/// </summary>
public sealed class ApprovalStore(AtomDatabase database, TimeProvider clock)
{
    /// <summary>
    /// Records the approval; false when this person (by id or login) already has a counted approval of this SHA. An
    /// approval of theirs that was withdrawn (dismissed review) or made stale is given again by this one.
    /// </summary>
    public async Task<bool> AddAsync(long taskId, GitHubPerson person, string sha, ApprovalSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(person);
        var now = clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        if (await database.ExecuteAsync(
                """
                UPDATE approvals SET withdrawn = 0, stale = 0, source = $source, created_at = $now
                WHERE task_id = $task AND sha = $sha AND user_id = $user AND (withdrawn = 1 OR stale = 1)
                """,
                cancellationToken,
                ("$task", taskId),
                ("$sha", sha),
                ("$user", person.Id),
                ("$source", source.ToString().ToLowerInvariant()),
                ("$now", now)) > 0)
        {
            return true;
        }

        return await database.ExecuteAsync(
            """
            INSERT INTO approvals (task_id, login, user_id, sha, source, created_at) VALUES ($task, $login, $user, $sha, $source, $now)
            ON CONFLICT DO NOTHING
            """,
            cancellationToken,
            ("$task", taskId),
            ("$login", person.Login.ToLowerInvariant()),
            ("$user", person.Id),
            ("$sha", sha),
            ("$source", source.ToString().ToLowerInvariant()),
            ("$now", now)) == 1;
    }

    /// <summary>Marks every approval of another SHA stale; returns how many became stale.</summary>
    public Task<int> MarkStaleAsync(long taskId, string currentSha, CancellationToken cancellationToken) =>
        database.ExecuteAsync("UPDATE approvals SET stale = 1 WHERE task_id = $task AND sha <> $sha AND stale = 0", cancellationToken, ("$task", taskId), ("$sha", currentSha));

    /// <summary>Marks every approval of the task stale (a revision was requested).</summary>
    public Task<int> MarkAllStaleAsync(long taskId, CancellationToken cancellationToken) => MarkStaleAsync(taskId, "", cancellationToken);

    /// <summary>
    /// A dismissed review: every approval of <paramref name="sha"/> by this person is withdrawn, whichever signal gave it
    /// (one row holds a person's approval of a SHA). Returns how many were withdrawn.
    /// </summary>
    public Task<int> WithdrawAsync(long taskId, GitHubPerson person, string sha, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(person);
        return database.ExecuteAsync(
            "UPDATE approvals SET withdrawn = 1 WHERE task_id = $task AND sha = $sha AND withdrawn = 0 AND (user_id = $user OR (user_id IS NULL AND login = $login))",
            cancellationToken,
            ("$task", taskId),
            ("$sha", sha),
            ("$user", person.Id),
            ("$login", person.Login.ToLowerInvariant()));
    }

    public Task<IReadOnlyList<ApprovalRecord>> ListAsync(long taskId, CancellationToken cancellationToken) =>
        database.QueryAsync(
            "SELECT task_id, login, sha, source, stale, created_at, user_id, withdrawn FROM approvals WHERE task_id = $task ORDER BY id",
            reader => new ApprovalRecord(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                Enum.Parse<ApprovalSource>(reader.GetString(3), ignoreCase: true),
                reader.GetInt64(4) != 0,
                DateTimeOffset.Parse(reader.GetString(5), CultureInfo.InvariantCulture),
                reader.IsDBNull(6) ? null : reader.GetInt64(6),
                reader.GetInt64(7) != 0),
            cancellationToken,
            ("$task", taskId));

    /// <summary>Distinct people (by user id) whose approval of <paramref name="sha"/> is still valid.</summary>
    public async Task<IReadOnlyList<GitHubPerson>> ValidApproversAsync(long taskId, string sha, CancellationToken cancellationToken) =>
        (await ListAsync(taskId, cancellationToken)).Where(a => a.CountsFor(sha))
            .GroupBy(a => a.UserId!.Value)
            .Select(g => new GitHubPerson(g.Key, g.Last().Login))
            .ToList();

    /// <summary>
    /// Takes the right to merge <paramref name="sha"/>; false when another signal is already merging. A claim older than
    /// <paramref name="staleAfter"/> was left by an instance that died mid-merge, and is taken.
    /// </summary>
    public async Task<bool> ClaimMergeAsync(long taskId, string sha, TimeSpan staleAfter, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return await database.ExecuteAsync(
            """
            UPDATE tasks SET merge_claim = $sha, merge_claimed_at = $now
            WHERE id = $task AND state IN ('awaiting_approval', 'merge_blocked') AND (merge_claim IS NULL OR merge_claimed_at IS NULL OR merge_claimed_at < $stale)
            """,
            cancellationToken,
            ("$task", taskId),
            ("$sha", sha),
            ("$now", now.ToString("O", CultureInfo.InvariantCulture)),
            ("$stale", now.Subtract(staleAfter).ToString("O", CultureInfo.InvariantCulture))) == 1;
    }

    public Task ReleaseMergeAsync(long taskId, CancellationToken cancellationToken) =>
        database.ExecuteAsync("UPDATE tasks SET merge_claim = NULL, merge_claimed_at = NULL WHERE id = $task", cancellationToken, ("$task", taskId));
}
