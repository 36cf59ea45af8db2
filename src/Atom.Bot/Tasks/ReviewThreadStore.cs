using System.Data.Common;
using System.Globalization;
using Atom.Bot.Storage;

namespace Atom.Bot.Tasks;

/// <summary>
/// Review-thread feedback of tasks: recorded once per comment (a constraint), given to the next round that starts, and
/// answered once per thread. A comment not yet answered is carried to the next round, so none is lost to a failed round.
/// </summary>
public sealed class ReviewThreadStore(AtomDatabase database, TimeProvider clock)
{
    private const string Columns = "task_id, comment_id, thread_id, pull_request, path, line, diff_hunk, body, author, author_id, round, answered_sha";

    /// <summary>Records the comment; false when it was recorded before (a redelivery, or a review's comments fetched already).</summary>
    public async Task<bool> AddAsync(ReviewThread thread, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(thread);
        return await database.ExecuteAsync(
            $"""
            INSERT INTO review_threads ({Columns}, created_at)
            VALUES ($task, $comment, $thread, $pull, $path, $line, $hunk, $body, $author, $authorId, NULL, NULL, $now)
            ON CONFLICT DO NOTHING
            """,
            cancellationToken,
            ("$task", thread.TaskId),
            ("$comment", thread.CommentId),
            ("$thread", thread.ThreadId),
            ("$pull", thread.PullRequest),
            ("$path", thread.Path),
            ("$line", thread.Line),
            ("$hunk", thread.DiffHunk),
            ("$body", thread.Body),
            ("$author", thread.Author),
            ("$authorId", thread.AuthorId),
            ("$now", clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture))) == 1;
    }

    /// <summary>How many comments of the task wait for an answer (the next round takes them all).</summary>
    public async Task<int> UnansweredCountAsync(long taskId, CancellationToken cancellationToken) =>
        (int)(await database.QueryAsync("SELECT COUNT(*) FROM review_threads WHERE task_id = $task AND answered_sha IS NULL", r => r.GetInt64(0), cancellationToken, ("$task", taskId)))[0];

    /// <summary>Gives every unanswered comment of the task to <paramref name="round"/> and returns them, oldest first.</summary>
    public async Task<IReadOnlyList<ReviewThread>> GiveToRoundAsync(long taskId, int round, CancellationToken cancellationToken)
    {
        await database.ExecuteAsync(
            "UPDATE review_threads SET round = $round WHERE task_id = $task AND answered_sha IS NULL",
            cancellationToken,
            ("$task", taskId),
            ("$round", round));
        return await database.QueryAsync(
            $"SELECT {Columns} FROM review_threads WHERE task_id = $task AND round = $round ORDER BY id",
            Read,
            cancellationToken,
            ("$task", taskId),
            ("$round", round));
    }

    /// <summary>The threads (by first comment) whose comments went to a round up to <paramref name="round"/> and are not answered yet.</summary>
    public Task<IReadOnlyList<long>> UnansweredThreadsAsync(long taskId, int round, CancellationToken cancellationToken) =>
        database.QueryAsync(
            "SELECT DISTINCT thread_id FROM review_threads WHERE task_id = $task AND round IS NOT NULL AND round <= $round AND answered_sha IS NULL ORDER BY thread_id",
            r => r.GetInt64(0),
            cancellationToken,
            ("$task", taskId),
            ("$round", round));

    /// <summary>Takes the answer of a thread for <paramref name="sha"/>; false when another run answered it already.</summary>
    public async Task<bool> ClaimAnswerAsync(long taskId, long threadId, int round, string sha, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "UPDATE review_threads SET answered_sha = $sha WHERE task_id = $task AND thread_id = $thread AND round IS NOT NULL AND round <= $round AND answered_sha IS NULL",
            cancellationToken,
            ("$task", taskId),
            ("$thread", threadId),
            ("$round", round),
            ("$sha", sha)) > 0;

    /// <summary>Gives a claimed answer back (the reply could not be posted), so that a retry answers the thread.</summary>
    public Task ReleaseAnswerAsync(long taskId, long threadId, string sha, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            "UPDATE review_threads SET answered_sha = NULL WHERE task_id = $task AND thread_id = $thread AND answered_sha = $sha",
            cancellationToken,
            ("$task", taskId),
            ("$thread", threadId),
            ("$sha", sha));

    public Task<IReadOnlyList<ReviewThread>> ListAsync(long taskId, CancellationToken cancellationToken) =>
        database.QueryAsync($"SELECT {Columns} FROM review_threads WHERE task_id = $task ORDER BY id", Read, cancellationToken, ("$task", taskId));

    private static ReviewThread Read(DbDataReader r) => new()
    {
        TaskId = r.GetInt64(0),
        CommentId = r.GetInt64(1),
        ThreadId = r.GetInt64(2),
        PullRequest = (int)r.GetInt64(3),
        Path = r.GetString(4),
        Line = r.IsDBNull(5) ? null : (int)r.GetInt64(5),
        DiffHunk = r.GetString(6),
        Body = r.GetString(7),
        Author = r.GetString(8),
        AuthorId = r.GetInt64(9),
        Round = r.IsDBNull(10) ? null : (int)r.GetInt64(10),
        AnsweredSha = r.IsDBNull(11) ? null : r.GetString(11),
    };
}
