using System.Text;
using Atom.Bot.Audit;
using Atom.Bot.GitHub;
using Atom.Bot.Tasks;
using Octokit;

namespace Atom.Bot.Supervisor;

/// <summary>
/// Review threads in a task's rounds: a round that starts takes every thread comment not answered yet into its feedback
/// (path, line, diff hunk and words, so the worker sees each thread as the reviewer did), and once a package certifies a
/// new head, each thread whose comments went to a round gets one reply naming that commit
/// (<c>POST /repos/{owner}/{repo}/pulls/{n}/comments/{comment_id}/replies</c>). Atom never resolves a thread: the
/// reviewer decides whether the commit addressed it.
/// </summary>
public sealed partial class ReviewFeedback(ReviewThreadStore threads, GitHubClientFactory github, AuditLog audit, ILogger<ReviewFeedback> logger)
{
    public const int MaxThreads = 40;
    public const int MaxHunkChars = 2_000;
    public const int MaxCommentChars = 2_000;

    private const string ThreadsHeading = "Review threads on the pull request";

    /// <summary>The feedback for <paramref name="round"/>: <paramref name="feedback"/> with every unanswered thread comment, which the round now holds.</summary>
    public async Task<string?> ForRoundAsync(long taskId, int round, string? feedback, CancellationToken cancellationToken)
    {
        // A round run again (/retry) copies its feedback, threads included: they are listed afresh, not twice.
        var marker = feedback?.IndexOf(ThreadsHeading, StringComparison.Ordinal) ?? -1;
        feedback = marker >= 0 ? feedback![..marker] : feedback;
        var given = await threads.GiveToRoundAsync(taskId, round, cancellationToken);
        if (given.Count == 0)
        {
            return feedback;
        }

        var text = new StringBuilder(string.IsNullOrWhiteSpace(feedback) ? "Address the review threads below." : feedback.Trim());
        text.Append("\n\n").Append(ThreadsHeading).Append(" (each: the file and line, the diff hunk the comment was written on, and the comments):\n");
        var number = 0;
        foreach (var thread in given.GroupBy(t => t.ThreadId).Take(MaxThreads))
        {
            var first = thread.First();
            text.Append("\nThread ").Append(++number).Append(": ").Append(first.Path)
                .Append(first.Line is { } line ? $", line {line}" : ", line unknown (the diff has changed since)").Append('\n');
            if (!string.IsNullOrWhiteSpace(first.DiffHunk))
            {
                text.Append("Diff hunk:\n").Append(Cut(first.DiffHunk, MaxHunkChars)).Append('\n');
            }

            foreach (var comment in thread)
            {
                text.Append("Comment by @").Append(comment.Author).Append(": ").Append(Cut(comment.Body, MaxCommentChars)).Append('\n');
            }
        }

        var threadCount = given.Select(t => t.ThreadId).Distinct().Count();
        if (threadCount > MaxThreads)
        {
            text.Append("\n[").Append(threadCount - MaxThreads).Append(" more thread(s) did not fit; they are on the pull request]\n");
        }

        return text.ToString();
    }

    /// <summary>
    /// Replies once to each thread whose comments went to a round up to <paramref name="round"/>: <paramref name="sha"/>, the
    /// new head a package certified, addressed them. A reply GitHub will not take is logged and left for the next package.
    /// </summary>
    public async Task AnswerAsync(AtomTask task, int round, string sha, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        var open = await threads.UnansweredThreadsAsync(task.Id, round, cancellationToken);
        if (open.Count == 0 || task.PullRequest is not { } pullRequest)
        {
            return;
        }

        IGitHubClient client;
        try
        {
            client = await github.CreateAsync(task.InstallationId, task.RepositoryId, GitHubAccess.Conversation, cancellationToken);
        }
        catch (GitHubTokenRefusedException ex)
        {
            // Answers are a courtesy after the package: the threads stay unanswered for the next round instead.
            LogReplyRefused(logger, task.Id, open[0], 0, ex.Message);
            return;
        }

        var connection = new ApiConnection(client.Connection);
        foreach (var threadId in open)
        {
            if (!await threads.ClaimAnswerAsync(task.Id, threadId, round, sha, cancellationToken))
            {
                continue;
            }

            try
            {
                await connection.Post<object>(
                    new Uri($"repos/{Uri.EscapeDataString(task.Owner)}/{Uri.EscapeDataString(task.Name)}/pulls/{pullRequest}/comments/{threadId}/replies", UriKind.Relative),
                    new { body = $"Addressed in {sha} (round {round + 1}). The updated package on this pull request certifies it; Atom leaves resolving this thread to you." },
                    cancellationToken);
            }
            catch (Exception ex) when (ex is ApiException or HttpRequestException)
            {
                // The package is out already; the thread stays unanswered and goes to the next round with the rest.
                await threads.ReleaseAnswerAsync(task.Id, threadId, sha, CancellationToken.None);
                LogReplyRefused(logger, task.Id, threadId, ex is ApiException api ? (int)api.StatusCode : 0, ex.Message);
                continue;
            }

            await audit.RecordAsync(AuditKinds.ReviewThreadAnswered, task.Id, Actors.Atom, new { thread = threadId, sha, round = round + 1 }, cancellationToken);
        }
    }

    private static string Cut(string text, int max) => text.Length <= max ? text.Trim() : text[..max].TrimEnd() + " [cut]";

    [LoggerMessage(EventId = 350, Level = LogLevel.Warning, Message = "Task {TaskId}: the reply to review thread {ThreadId} was refused ({Status}): {Reason}")]
    private static partial void LogReplyRefused(ILogger logger, long taskId, long threadId, int status, string reason);
}
