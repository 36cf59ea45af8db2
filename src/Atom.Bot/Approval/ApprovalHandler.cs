using System.Diagnostics;
using Atom.Bot.Audit;
using Atom.Bot.Configuration;
using Atom.Bot.GitHub;
using Atom.Bot.Jobs;
using Atom.Bot.Supervisor;
using Atom.Bot.Tasks;
using Octokit;
using Octokit.Webhooks.Events.IssueComment;
using Octokit.Webhooks.Events.PullRequest;
using Octokit.Webhooks.Events.PullRequestReview;

namespace Atom.Bot.Approval;

/// <summary>
/// Reviews, merges, pushes and slash commands on Atom's pull requests and task issues. Only an approver, looking at
/// the certified head SHA of a passed package, can let it merge; every signal, accepted, refused or stale, is audited.
/// </summary>
public sealed partial class ApprovalHandler(
    TaskStore tasks,
    AssignmentStore assignments,
    ApprovalStore approvals,
    ApproverCheck approvers,
    BotIdentity bots,
    GitHubClientFactory github,
    GitHubConversation conversation,
    RepoSettingsReader settingsReader,
    TaskSupervisor supervisor,
    TaskIntake intake,
    AuditLog audit,
    ExecutionReceipts receipts,
    WorkScheduler scheduler,
    ILogger<ApprovalHandler> logger)
{
    public async Task<string> ReviewSubmittedAsync(PullRequestReviewSubmittedEvent e, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Repository is null || e.Sender is null)
        {
            return "ignored: no repository or sender";
        }

        if (await bots.IsBotOrSelfAsync(e.Review.User.Login, e.Review.User.Type.ToString(), e.Installation?.Id, cancellationToken))
        {
            return "ignored: a bot's review";
        }

        var task = await tasks.FindByPullRequestAsync(e.Repository.Id, (int)e.PullRequest.Number, cancellationToken);
        if (task is null)
        {
            return "ignored: not an Atom pull request";
        }

        var state = $"{e.Review.State}".Replace("_", "", StringComparison.Ordinal).ToUpperInvariant();
        var command = state switch
        {
            "APPROVED" => new SlashCommand(SlashCommandKind.Approve, ""),
            "CHANGESREQUESTED" => new SlashCommand(SlashCommandKind.Revise, e.Review.Body ?? ""),
            _ => null,
        };
        if (command is null)
        {
            return $"ignored: review {state.ToLowerInvariant()}";
        }

        return await HandleAsync(new Signal(task, command, e.Review.User.Login, e.Review.CommitId, ApprovalSource.Review, (int)e.PullRequest.Number, null, true), cancellationToken);
    }

    public async Task<string> CommentCreatedAsync(IssueCommentCreatedEvent e, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Repository is null || e.Sender is null)
        {
            return "ignored: no repository or sender";
        }

        var commands = SlashCommand.Parse(e.Comment.Body);
        if (commands.Count == 0)
        {
            return "ignored: no command";
        }

        if (await bots.IsBotOrSelfAsync(e.Comment.User.Login, e.Comment.User.Type.ToString(), e.Installation?.Id, cancellationToken))
        {
            return "ignored: a bot's comment";
        }

        var number = (int)e.Issue.Number;
        var onPullRequest = e.Issue.PullRequest is not null;
        var task = onPullRequest
            ? await tasks.FindByPullRequestAsync(e.Repository.Id, number, cancellationToken)
            : await tasks.FindLatestAsync(e.Repository.Id, number, cancellationToken);
        if (task is null)
        {
            return onPullRequest ? "ignored: not an Atom pull request" : "ignored: no task for this issue";
        }

        var outcomes = new List<string>();
        foreach (var command in commands)
        {
            // Re-read the task: an earlier command of the same comment may have moved it.
            var current = (await tasks.GetAsync(task.Id, cancellationToken))!;
            outcomes.Add(await HandleAsync(new Signal(current, command, e.Comment.User.Login, null, ApprovalSource.Comment, number, e.Comment.Id, onPullRequest), cancellationToken));
        }

        return string.Join("; ", outcomes);
    }

    public async Task<string> PullRequestClosedAsync(PullRequestClosedEvent e, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Repository is null)
        {
            return "ignored: no repository";
        }

        var task = await tasks.FindByPullRequestAsync(e.Repository.Id, (int)e.PullRequest.Number, cancellationToken);
        if (task is null || task.State.IsFinal())
        {
            return "ignored: no active task for this pull request";
        }

        var actor = e.Sender?.Login ?? "unknown";
        if (e.PullRequest.Merged == true)
        {
            // A human merge is that human's approval of the merged head.
            var merger = e.PullRequest.MergedBy?.Login ?? actor;
            var sha = e.PullRequest.Head.Sha;
            await approvals.AddAsync(task.Id, merger, sha, ApprovalSource.Merge, cancellationToken);
            var entry = await audit.RecordAsync(AuditKinds.Merge, task.Id, merger, new
            {
                pullRequest = task.PullRequest,
                sha,
                by = "human",
                certified = sha == task.HeadSha,
                mergeCommit = e.PullRequest.MergeCommitSha,
            }, cancellationToken);
            await receipts.RecordAsync(ReceiptKinds.Merge, task.Id, entry.Hash, new ReceiptFacts
            {
                Command = $"merge of pull request #{task.PullRequest} by {merger} on GitHub",
                InputSha = sha,
                OutputSha = e.PullRequest.MergeCommitSha,
                Duration = TimeSpan.Zero,
            }, cancellationToken);
            await tasks.TransitionAsync(task.Id, TaskStates.Active, TaskState.Merged, merger, "merged by a human", cancellationToken);
            return $"merged by {merger}";
        }

        await assignments.CancelTaskAsync(task.Id, cancellationToken);
        await audit.RecordAsync(AuditKinds.Rejection, task.Id, actor, new { pullRequest = task.PullRequest, reason = "pull request closed without merge" }, cancellationToken);
        await tasks.TransitionAsync(task.Id, TaskStates.Active, TaskState.Rejected, actor, "pull request closed without merge", cancellationToken);
        return "rejected: closed without merge";
    }

    public async Task<string> SynchronizeAsync(PullRequestSynchronizeEvent e, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Repository is null)
        {
            return "ignored: no repository";
        }

        var task = await tasks.FindByPullRequestAsync(e.Repository.Id, (int)e.PullRequest.Number, cancellationToken);
        var head = e.PullRequest.Head.Sha;
        if (task is null || task.State.IsFinal() || head == task.HeadSha)
        {
            return "ignored: nothing to re-certify";
        }

        var stale = await approvals.MarkStaleAsync(task.Id, head, cancellationToken);
        await audit.RecordAsync(AuditKinds.ApprovalStale, task.Id, e.Sender?.Login ?? "unknown", new { head, previous = task.HeadSha, stale }, cancellationToken);
        if (task.State != TaskState.AwaitingApproval)
        {
            // Atom's own revision push: the package that follows certifies it.
            return $"{stale} approval(s) stale; the task is {task.State.ToName()}";
        }

        // Someone else pushed to the branch: only a certified SHA can merge, so certify the new head again.
        var client = await github.CreateAsync(task.InstallationId, task.RepositoryId, GitHubAccess.Conversation, cancellationToken);
        await conversation.CommentAsync(client, task.Owner, task.Name, task.PullRequest!.Value, ApprovalMessages.Stale(head, stale), cancellationToken);
        if (await tasks.TransitionAsync(task.Id, [TaskState.AwaitingApproval], TaskState.Evaluating, e.Sender?.Login ?? "unknown", $"new head {ApprovalMessages.Abbreviate(head)} pushed", cancellationToken))
        {
            scheduler.Enqueue(new AdvanceTask(task.Id));
        }

        return $"{stale} approval(s) stale; re-certifying";
    }

    private sealed record Signal(AtomTask Task, SlashCommand Command, string Actor, string? Sha, ApprovalSource Source, int Number, long? CommentId, bool OnPullRequest);

    private async Task<string> HandleAsync(Signal signal, CancellationToken cancellationToken)
    {
        var task = signal.Task;
        var client = await github.CreateAsync(task.InstallationId, task.RepositoryId, GitHubAccess.Merge, cancellationToken);
        var read = await settingsReader.ReadAsync(client, task.Owner, task.Name, task.DefaultBranch, cancellationToken);
        var settings = read.Settings ?? RepoSettings.Defaults;
        if (!signal.Command.IsForAnyone && !await approvers.IsApproverAsync(client, task.Owner, task.Name, signal.Actor, settings, cancellationToken))
        {
            return await RefuseAsync(client, signal, "you are not an approver of this repository (write, maintain or admin permission, or listed in `approvers`)", cancellationToken);
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
            SlashCommandKind.Status => await ReplyAsync(client, signal, ApprovalMessages.Status(task, await assignments.ListForTaskAsync(task.Id, cancellationToken), await approvals.ListAsync(task.Id, cancellationToken)), cancellationToken),
            _ => await ReplyAsync(client, signal, SlashCommand.HelpTable, cancellationToken),
        };
    }

    private async Task<string> ApproveAsync(IGitHubClient client, Signal signal, RepoSettings settings, CancellationToken cancellationToken)
    {
        var task = signal.Task;
        var refusal = task.State switch
        {
            TaskState.Merged => "the task is already merged",
            TaskState.Rejected or TaskState.Cancelled => $"the task is {task.State.ToName()}",
            TaskState.Failed => "the package failed; fix it with `/revise` or `/retry` first",
            TaskState.AwaitingApproval => null,
            _ => $"there is no certified package to approve yet (the task is {task.State.ToName()})",
        };
        if (refusal is not null)
        {
            return await RefuseApprovalAsync(client, signal, signal.Sha ?? task.HeadSha ?? "", refusal, cancellationToken);
        }

        if (task.HeadSha is null)
        {
            return await RefuseApprovalAsync(client, signal, signal.Sha ?? "", "a new package is being prepared; approve it once it is posted", cancellationToken);
        }

        // A comment approves the head the pull request has now; a review approves the commit it was given on.
        var sha = signal.Sha ?? (await client.PullRequest.Get(task.Owner, task.Name, task.PullRequest!.Value)).Head.Sha;
        if (sha != task.HeadSha)
        {
            await audit.RecordAsync(AuditKinds.ApprovalStale, task.Id, signal.Actor, new { sha, certified = task.HeadSha, source = signal.Source.ToString() }, cancellationToken);
            return await RefuseAsync(client, signal, $"it was given on `{ApprovalMessages.Abbreviate(sha)}`, but the certified head is `{ApprovalMessages.Abbreviate(task.HeadSha!)}` (stale SHA)", cancellationToken);
        }

        if (!settings.RequesterCanApprove && string.Equals(signal.Actor, task.RequestedBy, StringComparison.OrdinalIgnoreCase))
        {
            return await RefuseApprovalAsync(client, signal, sha, "`requester_can_approve` is false: someone other than the person who labelled the issue must approve", cancellationToken);
        }

        await approvals.AddAsync(task.Id, signal.Actor, sha, signal.Source, cancellationToken);
        await audit.RecordAsync(AuditKinds.ApprovalAccepted, task.Id, signal.Actor, new { sha, source = signal.Source.ToString() }, cancellationToken);
        await AcknowledgeAsync(client, signal, ReactionType.Plus1, cancellationToken);
        var valid = (await approvals.ValidApproversAsync(task.Id, sha, cancellationToken))
            .Where(login => settings.RequesterCanApprove || !string.Equals(login, task.RequestedBy, StringComparison.OrdinalIgnoreCase))
            .ToList();
        if (valid.Count < settings.RequiredApprovals)
        {
            await conversation.CommentAsync(client, task.Owner, task.Name, task.PullRequest!.Value, ApprovalMessages.Recorded(signal.Actor, sha, valid.Count, settings.RequiredApprovals), cancellationToken);
            return $"approval {valid.Count}/{settings.RequiredApprovals} by {signal.Actor}";
        }

        return await MergeAsync(client, task, settings, sha, valid, cancellationToken);
    }

    private async Task<string> MergeAsync(IGitHubClient client, AtomTask task, RepoSettings settings, string sha, IReadOnlyList<string> approvedBy, CancellationToken cancellationToken)
    {
        if (!await approvals.ClaimMergeAsync(task.Id, sha, cancellationToken))
        {
            return "approved; another signal is already merging";
        }

        var pr = task.PullRequest!.Value;
        if (!settings.MergeOnApproval)
        {
            await client.Repository.Status.Create(task.Owner, task.Name, sha, new NewCommitStatus
            {
                State = CommitState.Success,
                Context = "atom/approval",
                Description = $"Approved by {string.Join(", ", approvedBy)}",
            });
            await client.Issue.Labels.AddToIssue(task.Owner, task.Name, pr, ["atom:approved"]);
            await audit.RecordAsync(AuditKinds.ApprovalAccepted, task.Id, TaskSupervisor.Actor, new { sha, approvedBy, merge = "left to a human" }, cancellationToken);
            await conversation.CommentAsync(client, task.Owner, task.Name, pr, ApprovalMessages.Approved(sha), cancellationToken);
            return "approved; a human merges";
        }

        var ordered = await audit.RecordAsync(AuditKinds.MergeOrdered, task.Id, TaskSupervisor.Actor, new { sha, approvedBy, method = settings.MergeMethod }, cancellationToken);
        PullRequestMerge merged;
        var mergeStarted = Stopwatch.GetTimestamp();
        try
        {
            merged = await client.PullRequest.Merge(task.Owner, task.Name, pr, new MergePullRequest
            {
                Sha = sha,
                MergeMethod = settings.MergeMethod switch
                {
                    "merge" => PullRequestMergeMethod.Merge,
                    "rebase" => PullRequestMergeMethod.Rebase,
                    _ => PullRequestMergeMethod.Squash,
                },
                CommitTitle = $"{task.IssueTitle} (#{pr})",
            });
        }
        catch (ApiException ex) when (ex.StatusCode is System.Net.HttpStatusCode.MethodNotAllowed or System.Net.HttpStatusCode.Conflict or System.Net.HttpStatusCode.UnprocessableEntity)
        {
            // Not retried: 405 (not mergeable) and 409 (head moved) need a person or a new package, not another try.
            await approvals.ReleaseMergeAsync(task.Id, cancellationToken);
            await audit.RecordAsync(AuditKinds.MergeRefused, task.Id, TaskSupervisor.Actor, new { sha, status = (int)ex.StatusCode, reason = ex.Message }, cancellationToken);
            await conversation.CommentAsync(client, task.Owner, task.Name, pr, ApprovalMessages.MergeRefused(sha, ex.Message), cancellationToken);
            LogMergeRefused(logger, task.Id, (int)ex.StatusCode, ex.Message);
            return $"merge refused by GitHub ({(int)ex.StatusCode})";
        }

        await receipts.RecordAsync(ReceiptKinds.Merge, task.Id, ordered.Hash, new ReceiptFacts
        {
            Command = $"PUT /repos/{task.Repository}/pulls/{pr}/merge (sha {sha}, {settings.MergeMethod})",
            InputSha = sha,
            OutputSha = merged.Sha,
            ExitCode = 0,
            Duration = Stopwatch.GetElapsedTime(mergeStarted),
        }, cancellationToken);
        await audit.RecordAsync(AuditKinds.Merge, task.Id, TaskSupervisor.Actor, new { sha, mergeCommit = merged.Sha, approvedBy }, cancellationToken);
        await tasks.TransitionAsync(task.Id, [TaskState.AwaitingApproval], TaskState.Merged, TaskSupervisor.Actor, $"merged {ApprovalMessages.Abbreviate(sha)} as {ApprovalMessages.Abbreviate(merged.Sha)}", cancellationToken);
        if (settings.DeleteBranchOnMerge && task.Branch is not null)
        {
            try
            {
                await client.Git.Reference.Delete(task.Owner, task.Name, $"heads/{task.Branch}");
            }
            catch (ApiException ex) when (ex.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.UnprocessableEntity)
            {
                // Already gone (GitHub's own "delete head branch" setting).
            }
        }

        LogMerged(logger, task.Id, sha, merged.Sha);
        return $"merged {sha}";
    }

    private async Task<string> RejectAsync(IGitHubClient client, Signal signal, CancellationToken cancellationToken)
    {
        var task = signal.Task;
        if (task.State.IsFinal() && task.State != TaskState.Failed)
        {
            return await RefuseAsync(client, signal, $"the task is already {task.State.ToName()}", cancellationToken);
        }

        if (!await tasks.TransitionAsync(task.Id, [.. TaskStates.Active, TaskState.Failed], TaskState.Rejected, signal.Actor, signal.Command.Argument.Length > 0 ? signal.Command.Argument : "rejected", cancellationToken))
        {
            return await RefuseAsync(client, signal, "the task changed state meanwhile", cancellationToken);
        }

        await assignments.CancelTaskAsync(task.Id, cancellationToken);
        await audit.RecordAsync(AuditKinds.Rejection, task.Id, signal.Actor, new { reason = signal.Command.Argument }, cancellationToken);
        await AcknowledgeAsync(client, signal, ReactionType.Plus1, cancellationToken);
        if (task.PullRequest is { } pr)
        {
            await client.PullRequest.Update(task.Owner, task.Name, pr, new PullRequestUpdate { State = ItemState.Closed });
        }

        return "rejected";
    }

    private async Task<string> ReviseAsync(IGitHubClient client, Signal signal, CancellationToken cancellationToken)
    {
        var task = signal.Task;
        if (string.IsNullOrWhiteSpace(signal.Command.Argument))
        {
            return await RefuseAsync(client, signal, "say what to change: `/revise <feedback>`", cancellationToken);
        }

        if (task.State is not (TaskState.AwaitingApproval or TaskState.Failed) || task.Plan is null)
        {
            return await RefuseAsync(client, signal, $"there is no package to revise (the task is {task.State.ToName()})", cancellationToken);
        }

        await approvals.MarkAllStaleAsync(task.Id, cancellationToken);
        if (!await supervisor.RequestRevisionAsync(task, signal.Command.Argument, signal.Actor, cancellationToken))
        {
            return await RefuseAsync(client, signal, "the task changed state meanwhile", cancellationToken);
        }

        await AcknowledgeAsync(client, signal, ReactionType.Eyes, cancellationToken);
        return "revision started";
    }

    private async Task<string> RetryAsync(IGitHubClient client, Signal signal, CancellationToken cancellationToken)
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
        return "retry started";
    }

    private async Task<string> CancelAsync(IGitHubClient client, Signal signal, CancellationToken cancellationToken)
    {
        var task = signal.Task;
        if (task.State.IsFinal())
        {
            return await RefuseAsync(client, signal, $"the task is already {task.State.ToName()}", cancellationToken);
        }

        foreach (var job in await assignments.UnfinishedJobsAsync(task.Id, cancellationToken))
        {
            scheduler.Delete(job);
        }

        await AcknowledgeAsync(client, signal, ReactionType.Plus1, cancellationToken);
        return await intake.CancelAsync(task, signal.Actor, $"@{signal.Actor} asked with `/cancel`", cancellationToken);
    }

    private async Task<string> ReplyAsync(IGitHubClient client, Signal signal, string body, CancellationToken cancellationToken)
    {
        await conversation.CommentAsync(client, signal.Task.Owner, signal.Task.Name, signal.Number, body, cancellationToken);
        return $"answered {signal.Command.Name}";
    }

    private async Task<string> RefuseApprovalAsync(IGitHubClient client, Signal signal, string sha, string reason, CancellationToken cancellationToken)
    {
        await audit.RecordAsync(AuditKinds.ApprovalRefused, signal.Task.Id, signal.Actor, new { sha, reason, source = signal.Source.ToString() }, cancellationToken);
        return await RefuseAsync(client, signal, reason, cancellationToken, audited: true);
    }

    private async Task<string> RefuseAsync(IGitHubClient client, Signal signal, string reason, CancellationToken cancellationToken, bool audited = false)
    {
        if (!audited)
        {
            await audit.RecordAsync(signal.Command.Kind == SlashCommandKind.Approve ? AuditKinds.ApprovalRefused : AuditKinds.CommandRefused, signal.Task.Id, signal.Actor,
                new { command = signal.Command.Name, reason, source = signal.Source.ToString() }, cancellationToken);
        }

        await conversation.CommentAsync(client, signal.Task.Owner, signal.Task.Name, signal.Number, ApprovalMessages.Refused(signal.Actor, signal.Command, reason), cancellationToken);
        LogRefused(logger, signal.Task.Id, signal.Command.Name, signal.Actor, reason);
        return $"refused {signal.Command.Name}: {reason}";
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

    [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "Task {TaskId}: merged {Sha} as {MergeCommit}")]
    private static partial void LogMerged(ILogger logger, long taskId, string sha, string mergeCommit);

    [LoggerMessage(EventId = 702, Level = LogLevel.Warning, Message = "Task {TaskId}: GitHub refused the merge ({Status}): {Reason}")]
    private static partial void LogMergeRefused(ILogger logger, long taskId, int status, string reason);
}
