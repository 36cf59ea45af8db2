using System.Diagnostics;
using Atom.Bot.Audit;
using Atom.Bot.Configuration;
using Atom.Bot.GitHub;
using Atom.Bot.Jobs;
using Atom.Bot.Supervisor;
using Atom.Bot.Tasks;
using Atom.Bot.Telemetry;
using Octokit;
using Octokit.Webhooks.Events.IssueComment;
using Octokit.Webhooks.Events.PullRequest;
using Octokit.Webhooks.Events.PullRequestReview;
using Octokit.Webhooks.Models.PullRequestReviewEvent;

namespace Atom.Bot.Approval;

/// <summary>
/// Reviews, merges, pushes and slash commands on a task's pull request and issue; the delivery's owner was resolved
/// before, so every method is given its task. Only an approver, looking at the certified head SHA of a passed package,
/// can let it merge (<see cref="TaskMerger"/> merges); every signal, accepted, refused or stale, is audited.
/// </summary>
public sealed partial class ApprovalHandler(
    TaskStore tasks,
    AssignmentStore assignments,
    ApprovalStore approvals,
    ApprovalGate gate,
    GitHubClientFactory github,
    GitHubConversation conversation,
    TaskSupervisor supervisor,
    TaskIntake intake,
    AuditLog audit,
    ExecutionReceipts receipts,
    WorkScheduler scheduler,
    TaskMerger merger,
    ReviewComments reviewComments,
    ReviewThreadStore threads,
    CodeOwners codeOwners,
    AtomMetrics metrics,
    ILogger<ApprovalHandler> logger)
{
    /// <summary>
    /// The first moment a comment can approve a head certified at <paramref name="certifiedAt"/>: GitHub stamps comments
    /// to the second, and one stamped in the certified second reads as written before it (stale), so the next whole second.
    /// </summary>
    public static DateTimeOffset FirstFreshComment(DateTimeOffset certifiedAt) =>
        certifiedAt.AddTicks(-(certifiedAt.Ticks % TimeSpan.TicksPerSecond)).AddSeconds(1);

    public async Task<DeliveryOutcome> ReviewSubmittedAsync(PullRequestReviewSubmittedEvent e, AtomTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(task);
        if (e.Repository is null || e.Sender is null)
        {
            return DeliveryOutcome.Ignored("no repository or sender");
        }

        if (await gate.IsBotAsync(e.Review.User, e.Installation?.Id, cancellationToken))
        {
            return DeliveryOutcome.Ignored("a bot's review");
        }

        var command = e.Review.State is { } reviewed && reviewed.TryParse(out var state) ? state switch
        {
            ReviewState.Approved => new SlashCommand(SlashCommandKind.Approve, ""),
            ReviewState.ChangesRequested => new SlashCommand(SlashCommandKind.Revise, e.Review.Body ?? ""),
            _ => null,
        } : null;
        if (command is null)
        {
            return DeliveryOutcome.IgnoredReview(e.Review.State);
        }

        var person = new GitHubPerson(e.Review.User.Id, e.Review.User.Login);
        return await HandleAsync(new Signal(task, command, person, e.Review.CommitId, ApprovalSource.Review, (int)e.PullRequest.Number, null, true, null, e.Review.Id), cancellationToken);
    }

    /// <summary>
    /// A dismissed review withdraws its author's approval of the review's commit: it no longer counts towards a merge that
    /// has not happened yet. Dismissing only ever takes an approval away, so whoever dismissed it needs no check here
    /// (GitHub lets only people with write access dismiss reviews).
    /// </summary>
    public async Task<DeliveryOutcome> ReviewDismissedAsync(PullRequestReviewDismissedEvent e, AtomTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(task);
        var author = new GitHubPerson(e.Review.User.Id, e.Review.User.Login);
        var sha = e.Review.CommitId;
        var withdrawn = await approvals.WithdrawAsync(task.Id, author, sha, cancellationToken);
        var by = e.Sender?.Login ?? "unknown";
        await audit.RecordAsync(AuditKinds.ApprovalWithdrawn, task.Id, by, new
        {
            sha,
            approver = author.Login,
            approverId = author.Id,
            review = e.Review.Id,
            withdrawn,
            reason = "review dismissed",
        }, cancellationToken);
        if (withdrawn > 0 && task.PullRequest is { } pr && !task.State.IsEnded())
        {
            var client = await github.CreateAsync(task.InstallationId, task.RepositoryId, GitHubAccess.Conversation, cancellationToken);
            await conversation.CommentAsync(client, task.Owner, task.Name, pr, ApprovalMessages.Withdrawn(author.Login, sha, by), cancellationToken);
        }

        return DeliveryOutcome.Handled($"{withdrawn} approval(s) by {author.Login} withdrawn");
    }

    /// <summary>A comment on the task's issue or pull request: each slash command in it, in order.</summary>
    public async Task<DeliveryOutcome> CommentCreatedAsync(IssueCommentCreatedEvent e, AtomTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(task);
        if (e.Repository is null || e.Sender is null)
        {
            return DeliveryOutcome.Ignored("no repository or sender");
        }

        var commands = SlashCommand.Parse(e.Comment.Body);
        if (commands.Count == 0)
        {
            return DeliveryOutcome.Ignored("no command");
        }

        if (await gate.IsBotAsync(e.Comment.User, e.Installation?.Id, cancellationToken))
        {
            return DeliveryOutcome.Ignored("a bot's comment");
        }

        var number = (int)e.Issue.Number;
        var onPullRequest = e.Issue.PullRequest is not null;

        var person = new GitHubPerson(e.Comment.User.Id, e.Comment.User.Login);
        var outcomes = new List<DeliveryOutcome>();
        foreach (var command in commands)
        {
            // Re-read the task: an earlier command of the same comment may have moved it.
            var current = (await tasks.GetAsync(task.Id, cancellationToken))!;
            outcomes.Add(await HandleAsync(new Signal(current, command, person, null, ApprovalSource.Comment, number, e.Comment.Id, onPullRequest, e.Comment.CreatedAt), cancellationToken));
        }

        return DeliveryOutcome.Join(outcomes);
    }

    public async Task<DeliveryOutcome> PullRequestClosedAsync(PullRequestClosedEvent e, AtomTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(task);
        var actor = e.Sender?.Login ?? "unknown";
        if (e.PullRequest.Merged == true)
        {
            return await MergedOnGitHubAsync(e, task, cancellationToken);
        }

        if (task.State.IsEnded())
        {
            return DeliveryOutcome.Ignored("the task is already final");
        }

        await assignments.CancelTaskAsync(task.Id, cancellationToken);
        await audit.RecordAsync(AuditKinds.Rejection, task.Id, actor, new { pullRequest = task.PullRequest, reason = "pull request closed without merge" }, cancellationToken);
        await tasks.TransitionAsync(task.Id, TaskTransitions.ClosedUnmerged, actor, "pull request closed without merge", cancellationToken);
        return DeliveryOutcome.Handled("rejected: closed without merge");
    }

    public async Task<DeliveryOutcome> SynchronizeAsync(PullRequestSynchronizeEvent e, AtomTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(task);
        var head = e.PullRequest.Head.Sha;
        if (task.State.IsEnded() || head == task.HeadSha)
        {
            return DeliveryOutcome.Ignored("nothing to re-certify");
        }

        var stale = await approvals.MarkStaleAsync(task.Id, head, cancellationToken);
        await audit.RecordAsync(AuditKinds.ApprovalStale, task.Id, e.Sender?.Login ?? "unknown", new { head, previous = task.HeadSha, stale }, cancellationToken);
        if (task.State != TaskState.AwaitingApproval && !task.State.IsMerging())
        {
            // Atom's own revision push: the package that follows certifies it.
            return DeliveryOutcome.Handled($"{stale} approval(s) stale; the task is {task.State.ToName()}");
        }

        // Someone else pushed to the branch: only a certified SHA can merge, so certify the new head again. A queued
        // approval is stale now: it leaves the queue (GitHub's expectedHeadOid refuses the new head anyway).
        if (task.State == TaskState.MergeQueued)
        {
            var merging = await github.CreateAsync(task.InstallationId, task.RepositoryId, GitHubAccess.Merge, cancellationToken);
            await merger.DequeueAsync(merging, task, e.Sender?.Login ?? "unknown", $"new head {ApprovalMessages.Abbreviate(head)} pushed: the approval is stale", cancellationToken);
        }

        var client = await github.CreateAsync(task.InstallationId, task.RepositoryId, GitHubAccess.Conversation, cancellationToken);
        await conversation.CommentAsync(client, task.Owner, task.Name, task.PullRequest!.Value, ApprovalMessages.Stale(head, stale), cancellationToken);
        if (await tasks.TransitionAsync(task.Id, TaskTransitions.Recertify, e.Sender?.Login ?? "unknown", $"new head {ApprovalMessages.Abbreviate(head)} pushed", cancellationToken))
        {
            scheduler.Enqueue(new AdvanceTask(task.Id));
        }

        return DeliveryOutcome.Handled($"{stale} approval(s) stale; re-certifying");
    }

    /// <summary>
    /// Someone merged the pull request on GitHub. It is recorded whatever state the task is in (a failed or rejected
    /// task's pull request merged by hand is a merge too, with <c>certified: false</c> and the state it was in). A person's
    /// merge of the certified head is their approval of it; a bot's merge (Atom's included) is no one's approval.
    /// </summary>
    private async Task<DeliveryOutcome> MergedOnGitHubAsync(PullRequestClosedEvent e, AtomTask task, CancellationToken cancellationToken)
    {
        if (task.State == TaskState.Merged)
        {
            return DeliveryOutcome.Ignored("the merge is already recorded");
        }

        var mergedBy = e.PullRequest.MergedBy;
        var login = mergedBy?.Login ?? e.Sender?.Login ?? "unknown";
        var bot = mergedBy is null
            || await gate.IsBotAsync(mergedBy, e.Installation?.Id, cancellationToken);
        var sha = e.PullRequest.Head.Sha;
        var certified = sha == task.HeadSha && (task.State == TaskState.AwaitingApproval || task.State.IsMerging());
        if (!bot && certified)
        {
            await approvals.AddAsync(task.Id, new GitHubPerson(mergedBy!.Id, mergedBy.Login), sha, ApprovalSource.Merge, cancellationToken);
        }

        var entry = await audit.RecordAsync(AuditKinds.Merge, task.Id, login, new
        {
            pullRequest = task.PullRequest,
            sha,
            by = mergedBy is null ? "unknown" : bot ? "bot" : "human",
            mergedBy = login,
            certified,
            state = task.State.ToName(),
            mergeCommit = e.PullRequest.MergeCommitSha,
        }, cancellationToken);
        await receipts.RecordAsync(ReceiptKinds.Merge, task.Id, entry.Hash, new ReceiptFacts
        {
            Command = $"merge of pull request #{task.PullRequest} by {login} on GitHub",
            InputSha = sha,
            OutputSha = e.PullRequest.MergeCommitSha,
            Duration = TimeSpan.Zero,
        }, cancellationToken);
        if (!task.State.IsEnded())
        {
            await assignments.CancelTaskAsync(task.Id, cancellationToken);
            await tasks.TransitionAsync(task.Id, TaskTransitions.MergedOnGitHub, login, bot ? "merged by a bot" : "merged by a human", cancellationToken);
        }

        return DeliveryOutcome.Handled($"merged by {login}{(bot ? " (a bot)" : "")}{(certified ? "" : ", not certified")}");
    }

    /// <summary>
    /// A check suite, check run or commit status changed on <paramref name="sha"/>: a merge waiting on required checks of
    /// that head is tried again (the approvals, asked afresh, must still hold; a check still failing is not said twice).
    /// </summary>
    public async Task<DeliveryOutcome> ChecksChangedAsync(AtomTask task, string sha, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.State != TaskState.MergeBlocked || task.HeadSha != sha || task.PullRequest is null)
        {
            return DeliveryOutcome.Ignored("no merge waits on this commit");
        }

        var client = await github.CreateAsync(task.InstallationId, task.RepositoryId, GitHubAccess.Merge, cancellationToken);
        var read = await gate.ReadSettingsAsync(client, task.Owner, task.Name, task.DefaultBranch, cancellationToken);
        if (read.Settings is not { } settings)
        {
            return DeliveryOutcome.Ignored($"settings unavailable: {ApprovalGate.SettingsError(read)}");
        }

        var counted = await merger.CountedApproversAsync(task, settings, sha, cancellationToken);
        return await merger.MergeAsync(client, task, settings, sha, counted, cancellationToken);
    }

    /// <summary>GitHub's merge queue let the pull request go without merging it: said on the pull request, and the task awaits approval again.</summary>
    public async Task<DeliveryOutcome> DequeuedAsync(PullRequestDequeuedEvent e, AtomTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(task);
        if (task.State != TaskState.MergeQueued)
        {
            return DeliveryOutcome.Ignored($"the task is {task.State.ToName()}, not in the merge queue");
        }

        var reason = string.IsNullOrWhiteSpace(e.Reason) ? "no reason given" : e.Reason;
        var actor = e.Sender?.Login ?? "unknown";
        if (!await tasks.TransitionAsync(task.Id, TaskTransitions.Dequeued, actor, $"removed from the merge queue: {reason}", cancellationToken))
        {
            return DeliveryOutcome.Ignored("the task changed state meanwhile");
        }

        await audit.RecordAsync(AuditKinds.MergeDequeued, task.Id, actor, new { sha = e.PullRequest.Head.Sha, reason, by = "github" }, cancellationToken);
        var client = await github.CreateAsync(task.InstallationId, task.RepositoryId, GitHubAccess.Conversation, cancellationToken);
        await conversation.CommentAsync(client, task.Owner, task.Name, task.PullRequest!.Value, ApprovalMessages.Dequeued(task.HeadSha ?? e.PullRequest.Head.Sha, reason), cancellationToken);
        return DeliveryOutcome.Handled($"dequeued: {reason}");
    }

    private sealed record Signal(
        AtomTask Task, SlashCommand Command, GitHubPerson Person, string? Sha, ApprovalSource Source, int Number, long? CommentId, bool OnPullRequest, DateTimeOffset? WrittenAt,
        long? ReviewId = null)
    {
        public string Actor => Person.Login;
    }

    /// <summary>One span per command (<c>approval</c> for an approval); approvals are counted by what became of them.</summary>
    private async Task<DeliveryOutcome> HandleAsync(Signal signal, CancellationToken cancellationToken)
    {
        var approval = signal.Command.Kind == SlashCommandKind.Approve;
        using var activity = signal.Task.StartStage(approval ? "approval" : "command");
        activity?.SetTag("atom.command", signal.Command.Name);
        activity?.SetTag("atom.approval.source", signal.Source.ToString().ToLowerInvariant());
        var outcome = await DecideAsync(signal, cancellationToken);
        var kind = outcome.Kind.ToString().ToLowerInvariant();
        activity?.SetTag(AtomTelemetry.Outcome, kind);
        if (approval)
        {
            metrics.ApprovalCount.Add(1, new KeyValuePair<string, object?>("outcome", kind), new KeyValuePair<string, object?>("source", signal.Source.ToString().ToLowerInvariant()));
        }

        return outcome;
    }

    private async Task<DeliveryOutcome> DecideAsync(Signal signal, CancellationToken cancellationToken)
    {
        var task = signal.Task;
        if (signal.Command.IsForAnyone)
        {
            // Answering needs only the conversation's permissions, not the merge token the approver commands use.
            var reply = await github.CreateAsync(task.InstallationId, task.RepositoryId, GitHubAccess.Conversation, cancellationToken);
            return signal.Command.Kind == SlashCommandKind.Status
                ? await ReplyAsync(reply, signal, ApprovalMessages.Status(task, await assignments.ListForTaskAsync(task.Id, cancellationToken), await approvals.ListAsync(task.Id, cancellationToken))
                    + ReviewComments.StatusLines(await threads.ListAsync(task.Id, cancellationToken)), cancellationToken)
                : await ReplyAsync(reply, signal, SlashCommand.HelpTable, cancellationToken);
        }

        IGitHubClient client;
        try
        {
            client = await github.CreateAsync(task.InstallationId, task.RepositoryId, GitHubAccess.Merge, cancellationToken);
        }
        catch (GitHubTokenRefusedException refused)
        {
            // No retry grants the App a permission: say so once, and let the person repeat the command after granting it.
            await audit.RecordAsync(signal.Command.Kind == SlashCommandKind.Approve ? AuditKinds.ApprovalRefused : AuditKinds.CommandRefused, task.Id, signal.Actor,
                new { command = signal.Command.Name, reason = "access refused", error = refused.Message, sha = signal.Sha, source = signal.Source.ToString() }, cancellationToken);
            var reply = await github.CreateAsync(task.InstallationId, task.RepositoryId, GitHubAccess.Conversation, cancellationToken);
            await ReplyAsync(reply, signal, ApprovalMessages.AccessRefused(signal.Actor, signal.Command, refused.Message), cancellationToken);
            return DeliveryOutcome.Refused(signal.Command, "GitHub refused Atom the access it needs");
        }

        // Who may approve, how many and whether the requester counts all come from the settings: with none that can be
        // trusted (an invalid file, GitHub unreadable) nothing is decided, and the defaults are never assumed.
        var read = await gate.ReadSettingsAsync(client, task.Owner, task.Name, task.DefaultBranch, cancellationToken);
        if (read.Settings is not { } settings)
        {
            var error = ApprovalGate.SettingsError(read);
            await audit.RecordAsync(signal.Command.Kind == SlashCommandKind.Approve ? AuditKinds.ApprovalRefused : AuditKinds.CommandRefused, task.Id, signal.Actor,
                new { command = signal.Command.Name, reason = "settings unavailable", error, sha = signal.Sha, source = signal.Source.ToString() }, cancellationToken);
            return await RefuseAsync(client, signal, ApprovalGate.SettingsUnusable, cancellationToken, audited: true,
                body: ApprovalGate.SettingsUnavailable(signal.Actor, signal.Command, read));
        }

        if (!await gate.MayApproveAsync(client, task.Owner, task.Name, task.RepositoryId, signal.Person, settings, cancellationToken))
        {
            return await RefuseAsync(client, signal, ApprovalGate.NotAnApprover, cancellationToken);
        }

        if (!signal.OnPullRequest && !signal.Command.WorksOnIssue)
        {
            return await RefuseAsync(client, signal, task.PullRequest is { } pr ? $"use it on the pull request #{pr}" : "there is no pull request to act on yet", cancellationToken);
        }

        return signal.Command.Kind switch
        {
            SlashCommandKind.Approve => await ApproveAsync(client, signal, settings, cancellationToken),
            SlashCommandKind.Reject => await RejectAsync(client, signal, cancellationToken),
            SlashCommandKind.Revise => await ReviseAsync(client, signal, cancellationToken),
            SlashCommandKind.Retry => await RetryAsync(client, signal, cancellationToken),
            SlashCommandKind.Cancel => await CancelAsync(client, signal, cancellationToken),
            _ => throw new UnreachableException($"{signal.Command.Kind} is answered above"),
        };
    }

    private async Task<DeliveryOutcome> ApproveAsync(IGitHubClient client, Signal signal, RepoSettings settings, CancellationToken cancellationToken)
    {
        var task = signal.Task;
        var refusal = task.State switch
        {
            TaskState.Merged => "the task is already merged",
            TaskState.Rejected or TaskState.Cancelled => $"the task is {task.State.ToName()}",
            TaskState.Failed => "the package failed; fix it with `/revise` or `/retry` first",
            TaskState.AwaitingApproval or TaskState.MergeBlocked => null,
            TaskState.MergeQueued => "the approved package is already in the merge queue",
            _ => $"there is no certified package to approve yet (the task is {task.State.ToName()})",
        };
        if (refusal is not null)
        {
            return await RefuseApprovalAsync(client, signal, signal.Sha ?? task.HeadSha ?? "", refusal, cancellationToken);
        }

        if (task.HeadSha is not { } certified)
        {
            return await RefuseApprovalAsync(client, signal, signal.Sha ?? "", "a new package is being prepared; approve it once it is posted", cancellationToken);
        }

        // A review approves the commit it was given on. A comment approves the pull request's head, and only if that head
        // was already certified when the comment was written: a comment queued behind a push never approves the new head.
        var sha = signal.Sha ?? (await client.PullRequest.Get(task.Owner, task.Name, task.PullRequest!.Value)).Head.Sha;
        if (sha != certified)
        {
            await audit.RecordAsync(AuditKinds.ApprovalStale, task.Id, signal.Actor, new { sha, certified, source = signal.Source.ToString() }, cancellationToken);
            return await RefuseAsync(client, signal, $"it was given on `{ApprovalMessages.Abbreviate(sha)}`, but the certified head is `{ApprovalMessages.Abbreviate(certified)}` (stale SHA)", cancellationToken);
        }

        var certifiedAt = task.CertifiedAt ?? task.UpdatedAt;
        if (signal.WrittenAt is { } written && written < certifiedAt)
        {
            await audit.RecordAsync(AuditKinds.ApprovalStale, task.Id, signal.Actor, new { sha, certified, writtenAt = written, certifiedAt, source = signal.Source.ToString() }, cancellationToken);
            return await RefuseAsync(client, signal, ApprovalMessages.WrittenBeforeCertified(certified, written, certifiedAt), cancellationToken);
        }

        if (!settings.RequesterCanApprove && TaskMerger.IsRequester(task, signal.Person))
        {
            return await RefuseApprovalAsync(client, signal, sha, "`requester_can_approve` is false: someone other than the person who labelled the issue must approve", cancellationToken);
        }

        if (await approvals.AddAsync(task.Id, signal.Person, sha, signal.Source, cancellationToken))
        {
            await audit.RecordAsync(AuditKinds.ApprovalAccepted, task.Id, signal.Actor, new { sha, source = signal.Source.ToString(), userId = signal.Person.Id }, cancellationToken);
        }
        else
        {
            await audit.RecordAsync(AuditKinds.ApprovalRepeated, task.Id, signal.Actor, new { sha, source = signal.Source.ToString(), userId = signal.Person.Id }, cancellationToken);
        }

        await AcknowledgeAsync(client, signal, ReactionType.Plus1, cancellationToken);
        var valid = await merger.CountedApproversAsync(task, settings, sha, cancellationToken);
        if (valid.Count < settings.RequiredApprovals)
        {
            await conversation.CommentAsync(client, task.Owner, task.Name, task.PullRequest!.Value, ApprovalMessages.Recorded(signal.Actor, sha, valid.Count, settings.RequiredApprovals), cancellationToken);
            return DeliveryOutcome.Handled($"approval {valid.Count}/{settings.RequiredApprovals} by {signal.Actor}");
        }

        if (settings.Codeowners && await codeOwners.MissingAsync(client, task, valid, cancellationToken) is { Count: > 0 } unowned)
        {
            await audit.RecordAsync(AuditKinds.MergeRefused, task.Id, Actors.Atom, new
            {
                sha,
                reason = "code owners have not approved",
                unowned = unowned.Select(u => new { path = u.Path, owners = u.Owners }),
            }, cancellationToken);
            await conversation.CommentAsync(client, task.Owner, task.Name, task.PullRequest!.Value, CodeOwners.Message(sha, unowned), cancellationToken);
            return DeliveryOutcome.MergeRefused($"{unowned.Count} path(s) without a code owner's approval");
        }

        return await merger.MergeAsync(client, task, settings, sha, valid, cancellationToken);
    }

    private async Task<DeliveryOutcome> RejectAsync(IGitHubClient client, Signal signal, CancellationToken cancellationToken)
    {
        var task = signal.Task;
        if (!TaskTransitions.Reject.Allows(task.State))
        {
            return await RefuseAsync(client, signal, $"the task is already {task.State.ToName()}", cancellationToken);
        }

        if (!await tasks.TransitionAsync(task.Id, TaskTransitions.Reject, signal.Actor, signal.Command.Argument.Length > 0 ? signal.Command.Argument : "rejected", cancellationToken))
        {
            return await RefuseAsync(client, signal, "the task changed state meanwhile", cancellationToken);
        }

        await merger.DequeueAsync(client, task, signal.Actor, "`/reject`", cancellationToken);
        await assignments.CancelTaskAsync(task.Id, cancellationToken);
        await audit.RecordAsync(AuditKinds.Rejection, task.Id, signal.Actor, new { reason = signal.Command.Argument }, cancellationToken);
        await AcknowledgeAsync(client, signal, ReactionType.Plus1, cancellationToken);
        if (task.PullRequest is { } pr)
        {
            await client.PullRequest.Update(task.Owner, task.Name, pr, new PullRequestUpdate { State = ItemState.Closed });
        }

        return DeliveryOutcome.Handled("rejected");
    }

    private async Task<DeliveryOutcome> ReviseAsync(IGitHubClient client, Signal signal, CancellationToken cancellationToken)
    {
        var task = signal.Task;

        // A changes-requested review's line comments are feedback like the ones written one by one: kept even when this
        // review cannot start a round now, for the round that comes next.
        if (signal.ReviewId is { } reviewId && !task.State.IsEnded())
        {
            await reviewComments.RecordReviewAsync(client, task, signal.Number, reviewId, signal.Person, cancellationToken);
        }

        if (string.IsNullOrWhiteSpace(signal.Command.Argument) && await threads.UnansweredCountAsync(task.Id, cancellationToken) == 0)
        {
            return await RefuseAsync(client, signal, "say what to change: `/revise <feedback>`", cancellationToken);
        }

        if (task.State is not (TaskState.AwaitingApproval or TaskState.MergeBlocked or TaskState.Failed) || task.Plan is null)
        {
            return await RefuseAsync(client, signal, $"there is no package to revise (the task is {task.State.ToName()})", cancellationToken);
        }

        await approvals.MarkAllStaleAsync(task.Id, cancellationToken);
        if (!await supervisor.RequestRevisionAsync(task, signal.Command.Argument, signal.Actor, cancellationToken))
        {
            return await RefuseAsync(client, signal, "the task changed state meanwhile", cancellationToken);
        }

        await AcknowledgeAsync(client, signal, ReactionType.Eyes, cancellationToken);
        return DeliveryOutcome.Handled("revision started");
    }

    private async Task<DeliveryOutcome> RetryAsync(IGitHubClient client, Signal signal, CancellationToken cancellationToken)
    {
        var task = signal.Task;
        if (task.State is not (TaskState.Failed or TaskState.Cancelled))
        {
            return await RefuseAsync(client, signal, $"only a failed or cancelled task can be retried (the task is {task.State.ToName()})", cancellationToken);
        }

        if (!await supervisor.RetryAsync(task, signal.Actor, cancellationToken))
        {
            return await RefuseAsync(client, signal, "the task could not be restarted (another task for this issue may be active)", cancellationToken);
        }

        await AcknowledgeAsync(client, signal, ReactionType.Eyes, cancellationToken);
        return DeliveryOutcome.Handled("retry started");
    }

    private async Task<DeliveryOutcome> CancelAsync(IGitHubClient client, Signal signal, CancellationToken cancellationToken)
    {
        var task = signal.Task;
        if (task.State.IsEnded())
        {
            return await RefuseAsync(client, signal, $"the task is already {task.State.ToName()}", cancellationToken);
        }

        foreach (var job in await assignments.UnfinishedJobsAsync(task.Id, cancellationToken))
        {
            scheduler.Delete(job);
        }

        await merger.DequeueAsync(client, task, signal.Actor, "`/cancel`", cancellationToken);
        await AcknowledgeAsync(client, signal, ReactionType.Plus1, cancellationToken);
        return DeliveryOutcome.Of(await intake.CancelAsync(task, signal.Actor, $"@{signal.Actor} asked with `/cancel`", cancellationToken));
    }

    private async Task<DeliveryOutcome> ReplyAsync(IGitHubClient client, Signal signal, string body, CancellationToken cancellationToken)
    {
        await conversation.CommentAsync(client, signal.Task.Owner, signal.Task.Name, signal.Number, body, cancellationToken);
        return DeliveryOutcome.Handled($"answered {signal.Command.Name}");
    }

    private async Task<DeliveryOutcome> RefuseApprovalAsync(IGitHubClient client, Signal signal, string sha, string reason, CancellationToken cancellationToken)
    {
        await audit.RecordAsync(AuditKinds.ApprovalRefused, signal.Task.Id, signal.Actor, new { sha, reason, source = signal.Source.ToString() }, cancellationToken);
        return await RefuseAsync(client, signal, reason, cancellationToken, audited: true);
    }

    private async Task<DeliveryOutcome> RefuseAsync(IGitHubClient client, Signal signal, string reason, CancellationToken cancellationToken, bool audited = false, string? body = null)
    {
        if (!audited)
        {
            await audit.RecordAsync(signal.Command.Kind == SlashCommandKind.Approve ? AuditKinds.ApprovalRefused : AuditKinds.CommandRefused, signal.Task.Id, signal.Actor,
                new { command = signal.Command.Name, reason, source = signal.Source.ToString() }, cancellationToken);
        }

        await gate.AnswerRefusalAsync(client, signal.Task.Owner, signal.Task.Name, signal.Number, signal.Actor, signal.Command, reason, body, cancellationToken);
        LogRefused(logger, signal.Task.Id, signal.Command.Name, signal.Actor, reason);
        return DeliveryOutcome.Refused(signal.Command, reason);
    }

    private async Task AcknowledgeAsync(IGitHubClient client, Signal signal, ReactionType reaction, CancellationToken cancellationToken)
    {
        if (signal.CommentId is { } id)
        {
            await conversation.ReactToCommentAsync(client, signal.Task.Owner, signal.Task.Name, id, reaction, cancellationToken);
        }
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "Task {TaskId}: {Command} by {Login} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, long taskId, string command, string login, string reason);
}
