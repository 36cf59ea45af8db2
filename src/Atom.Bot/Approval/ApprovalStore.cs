using System.Globalization;
using Atom.Bot.Storage;

namespace Atom.Bot.Approval;

/// <summary>Approvals by SHA and the merge claim. Counting is by distinct login on one SHA; uniqueness is a constraint.</summary>
public sealed class ApprovalStore(AtomDatabase database, TimeProvider clock)
{
    /// <summary>Records the approval; false when this person had already approved this SHA.</summary>
    public async Task<bool> AddAsync(long taskId, string login, string sha, ApprovalSource source, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO approvals (task_id, login, sha, source, created_at) VALUES ($task, $login, $sha, $source, $now)
            ON CONFLICT (task_id, login, sha) DO NOTHING
            """;
        command.Parameters.AddWithValue("$task", taskId);
        command.Parameters.AddWithValue("$login", login.ToLowerInvariant());
        command.Parameters.AddWithValue("$sha", sha);
        command.Parameters.AddWithValue("$source", source.ToString().ToLowerInvariant());
        command.Parameters.AddWithValue("$now", clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Marks every approval of another SHA stale; returns how many became stale.</summary>
    public async Task<int> MarkStaleAsync(long taskId, string currentSha, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE approvals SET stale = 1 WHERE task_id = $task AND sha <> $sha AND stale = 0";
        command.Parameters.AddWithValue("$task", taskId);
        command.Parameters.AddWithValue("$sha", currentSha);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Marks every approval of the task stale (a revision was requested).</summary>
    public Task<int> MarkAllStaleAsync(long taskId, CancellationToken cancellationToken) => MarkStaleAsync(taskId, "", cancellationToken);

    public async Task<IReadOnlyList<ApprovalRecord>> ListAsync(long taskId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT task_id, login, sha, source, stale, created_at FROM approvals WHERE task_id = $task ORDER BY id";
        command.Parameters.AddWithValue("$task", taskId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<ApprovalRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new ApprovalRecord(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                Enum.Parse<ApprovalSource>(reader.GetString(3), ignoreCase: true),
                reader.GetInt64(4) != 0,
                DateTimeOffset.Parse(reader.GetString(5), CultureInfo.InvariantCulture)));
        }

        return list;
    }

    /// <summary>Distinct people whose approval of <paramref name="sha"/> is still valid.</summary>
    public async Task<IReadOnlyList<string>> ValidApproversAsync(long taskId, string sha, CancellationToken cancellationToken) =>
        (await ListAsync(taskId, cancellationToken)).Where(a => !a.Stale && a.Sha == sha).Select(a => a.Login).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Takes the right to merge <paramref name="sha"/>; false when another signal is already merging.</summary>
    public async Task<bool> ClaimMergeAsync(long taskId, string sha, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE tasks SET merge_claim = $sha WHERE id = $task AND merge_claim IS NULL AND state = 'awaiting_approval'";
        command.Parameters.AddWithValue("$task", taskId);
        command.Parameters.AddWithValue("$sha", sha);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task ReleaseMergeAsync(long taskId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE tasks SET merge_claim = NULL WHERE id = $task";
        command.Parameters.AddWithValue("$task", taskId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
