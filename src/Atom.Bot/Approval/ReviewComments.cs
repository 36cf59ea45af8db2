using Atom.Bot.Audit;
using Atom.Bot.GitHub;
using Atom.Bot.Tasks;
using Octokit;
using Octokit.Webhooks.Events.PullRequestReviewComment;

namespace Atom.Bot.Approval;

/// <summary>
/// Line comments on a task's pull request (review threads) as revision feedback: each comment by someone who may steer
/// the task (the same people as <c>/revise</c>) is kept with its path, line and diff hunk for the task's next round,
/// which a <c>/revise</c> or a changes-requested review starts. Anyone else's comment, and a bot's (Atom's own replies
/// included), is ignored. Atom never resolves a thread; the round's package answers it (<c>Supervisor/ReviewFeedback</c>).
/// </summary>
public sealed partial class ReviewComments(
    ReviewThreadStore threads,
    ApprovalGate gate,
    GitHubClientFactory github,
    AuditLog audit,
    ILogger<ReviewComments> logger)
{
    public async Task<DeliveryOutcome> CreatedAsync(PullRequestReviewCommentCreatedEvent e, AtomTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(task);
        if (e.Repository is null || e.Sender is null)
        {
            return DeliveryOutcome.Ignored("no repository or sender");
        }

        if (await gate.IsBotAsync(e.Comment.User, e.Installation?.Id, cancellationToken))
        {
            return DeliveryOutcome.Ignored("a bot's review comment");
        }

        if (task.State.IsEnded())
        {
            return DeliveryOutcome.Ignored($"the task is {task.State.ToName()}");
        }

        var person = new GitHubPerson(e.Comment.User.Id, e.Comment.User.Login);
        var client = await github.CreateAsync(task.InstallationId, task.RepositoryId, GitHubAccess.Conversation, cancellationToken);
        var read = await gate.ReadSettingsAsync(client, task.Owner, task.Name, task.DefaultBranch, cancellationToken);
        if (read.Settings is not { } settings)
        {
            LogIgnored(logger, task.Id, e.Comment.Id, person.Login, ApprovalGate.SettingsUnusable);
            return DeliveryOutcome.Ignored(ApprovalGate.SettingsUnusable);
        }

        if (!await gate.MayApproveAsync(client, task.Owner, task.Name, task.RepositoryId, person, settings, cancellationToken))
        {
            LogIgnored(logger, task.Id, e.Comment.Id, person.Login, "not someone who may steer the task");
            return DeliveryOutcome.Ignored($"review comment by {person.Login}, who may not steer the task");
        }

        var c = e.Comment;
        var recorded = await RecordAsync(task, new ReviewThread
        {
            TaskId = task.Id,
            CommentId = c.Id,
            ThreadId = c.InReplyToId ?? c.Id,
            PullRequest = (int)e.PullRequest.Number,
            Path = c.Path,
            Line = c.Line is { } line ? (int)line : c.OriginalLine is { } original ? (int)original : null,
            DiffHunk = c.DiffHunk ?? "",
            Body = c.Body ?? "",
            Author = person.Login,
            AuthorId = person.Id,
        }, cancellationToken);
        return recorded
            ? DeliveryOutcome.Handled($"review comment by {person.Login} on {c.Path} kept for the next round")
            : DeliveryOutcome.Ignored("review comment recorded before");
    }

    /// <summary>
    /// The line comments of a changes-requested review (<c>GET /pulls/{n}/reviews/{id}/comments</c>), kept for the round the
    /// review starts; the reviewer was checked as for <c>/revise</c>. Their own deliveries, when they come, find them recorded.
    /// </summary>
    public async Task<int> RecordReviewAsync(IGitHubClient client, AtomTask task, int pullRequest, long reviewId, GitHubPerson reviewer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(reviewer);
        cancellationToken.ThrowIfCancellationRequested();
        var comments = await new ApiConnection(client.Connection).GetAll<ReviewCommentAnswer>(
            new Uri($"repos/{Uri.EscapeDataString(task.Owner)}/{Uri.EscapeDataString(task.Name)}/pulls/{pullRequest}/reviews/{reviewId}/comments", UriKind.Relative));
        var recorded = 0;
        foreach (var c in comments.Where(c => !string.IsNullOrEmpty(c.Path)))
        {
            if (await RecordAsync(task, new ReviewThread
            {
                TaskId = task.Id,
                CommentId = c.Id,
                ThreadId = c.InReplyToId ?? c.Id,
                PullRequest = pullRequest,
                Path = c.Path!,
                Line = c.Line ?? c.OriginalLine,
                DiffHunk = c.DiffHunk ?? "",
                Body = c.Body ?? "",
                Author = reviewer.Login,
                AuthorId = reviewer.Id,
            }, cancellationToken))
            {
                recorded++;
            }
        }

        return recorded;
    }

    private async Task<bool> RecordAsync(AtomTask task, ReviewThread thread, CancellationToken cancellationToken)
    {
        if (!await threads.AddAsync(thread, cancellationToken))
        {
            return false;
        }

        await audit.RecordAsync(AuditKinds.ReviewThreadRecorded, task.Id, thread.Author, new
        {
            comment = thread.CommentId,
            thread = thread.ThreadId,
            path = thread.Path,
            line = thread.Line,
            userId = thread.AuthorId,
        }, cancellationToken);
        return true;
    }

    /// <summary>What <c>/status</c> adds about the task's review threads; empty when there are none.</summary>
    public static string StatusLines(IReadOnlyList<ReviewThread> kept)
    {
        ArgumentNullException.ThrowIfNull(kept);
        if (kept.Count == 0)
        {
            return "";
        }

        var threadsOf = kept.GroupBy(t => t.ThreadId).ToList();
        var answered = threadsOf.Count(g => g.All(t => t.AnsweredSha is not null));
        var waiting = threadsOf.Count - answered;
        return $"\nReview threads: {waiting} waiting for a round{(waiting > 0 ? " (`/revise` addresses them)" : "")}, {answered} answered with a commit.\n";
    }

    /// <summary>The fields of a pull request review comment this reads (Octokit's own type has no <c>line</c>).</summary>
    private sealed class ReviewCommentAnswer
    {
        public long Id { get; set; }
        public long? InReplyToId { get; set; }
        public string? Path { get; set; }
        public int? Line { get; set; }
        public int? OriginalLine { get; set; }
        public string? DiffHunk { get; set; }
        public string? Body { get; set; }
    }

    [LoggerMessage(EventId = 751, Level = LogLevel.Information, Message = "Task {TaskId}: review comment {CommentId} by {Login} ignored: {Reason}")]
    private static partial void LogIgnored(ILogger logger, long taskId, long commentId, string login, string reason);
}
