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

        var state = ReviewState($"{e.Review.State}");
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

        var person = new GitHubPerson(e.Review.User.Id, e.Review.User.Login);
        return await HandleAsync(new Signal(task, command, person, e.Review.CommitId, ApprovalSource.Review, (int)e.PullRequest.Number, null, true, null), cancellationToken);
    }

    /// <summary>
    /// A dismissed review withdraws its author's approval of the review's commit: it no longer counts towards a merge that
    /// has not happened yet. Dismissing only ever takes an approval away, so whoever dismissed it needs no check here
    /// (GitHub lets only people with write access dismiss reviews).
    /// </summary>
    public async Task<string> ReviewDismissedAsync(PullRequestReviewDismissedEvent e, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Repository is null)
        {
            return "ignored: no repository";
        }

        var task = await tasks.FindByPullRequestAsync(e.Repository.Id, (int)e.PullRequest.Number, cancellationToken);
        if (task is null)
        {
            return "ignored: not an Atom pull request";
        }

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

        return $"{withdrawn} approval(s) by {author.Login} withdrawn";
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

        var person = new GitHubPerson(e.Comment.User.Id, e.Comment.User.Login);
        var outcomes = new List<string>();
        foreach (var command in commands)
        {
            // Re-read the task: an earlier command of the same comment may have moved it.
            var current = (await tasks.GetAsync(task.Id, cancellationToken))!;
            outcomes.Add(await HandleAsync(new Signal(current, command, person, null, ApprovalSource.Comment, number, e.Comment.Id, onPullRequest, e.Comment.CreatedAt), cancellationToken));
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
        if (task is null)
        {
            return "ignored: not an Atom pull request";
        }

        var actor = e.Sender?.Login ?? "unknown";
        if (e.PullRequest.Merged == true)
        {
            return await MergedOnGitHubAsync(e, task, cancellationToken);
        }

        if (task.State.IsEnded())
        {
            return "ignored: the task is already final";
        }

        await assignments.CancelTaskAsync(task.Id, cancellationToken);
        await audit.RecordAsync(AuditKinds.Rejection, task.Id, actor, new { pullRequest = task.PullRequest, reason = "pull request closed without merge" }, cancellationToken);
        await tasks.TransitionAsync(task.Id, TaskTransitions.ClosedUnmerged, actor, "pull request closed without merge", cancellationToken);
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
        if (task is null || task.State.IsEnded() || head == task.HeadSha)
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
        if (await tasks.TransitionAsync(task.Id, TaskTransitions.Recertify, e.Sender?.Login ?? "unknown", $"new head {ApprovalMessages.Abbreviate(head)} pushed", cancellationToken))
        {
            scheduler.Enqueue(new AdvanceTask(task.Id));
        }

        return $"{stale} approval(s) stale; re-certifying";
    }

    /// <summary>
    /// Someone merged the pull request on GitHub. It is recorded whatever state the task is in (a failed or rejected
    /// task's pull request merged by hand is a merge too, with <c>certified: false</c> and the state it was in). A person's
    /// merge of the certified head is their approval of it; a bot's merge (Atom's included) is no one's approval.
    /// </summary>
    private async Task<string> MergedOnGitHubAsync(PullRequestClosedEvent e, AtomTask task, CancellationToken cancellationToken)
    {
        if (task.State == TaskState.Merged)
        {
            return "ignored: the merge is already recorded";
        }

        var mergedBy = e.PullRequest.MergedBy;
        var login = mergedBy?.Login ?? e.Sender?.Login ?? "unknown";
        var bot = mergedBy is null
            || await bots.IsBotOrSelfAsync(mergedBy.Login, mergedBy.Type.ToString(), e.Installation?.Id, cancellationToken);
        var sha = e.PullRequest.Head.Sha;
        var certified = sha == task.HeadSha && task.State == TaskState.AwaitingApproval;
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

        return $"merged by {login}{(bot ? " (a bot)" : "")}{(certified ? "" : ", not certified")}";
    }

    private sealed record Signal(
        AtomTask Task, SlashCommand Command, GitHubPerson Person, string? Sha, ApprovalSource Source, int Number, long? CommentId, bool OnPullRequest, DateTimeOffset? WrittenAt)
    {
        public string Actor => Person.Login;
    }

    private async Task<string> HandleAsync(Signal signal, CancellationToken cancellationToken)
    {
        var task = signal.Task;
        if (signal.Command.IsForAnyone)
        {
            // Answering needs only the conversation's permissions, not the merge token the approver commands use.
            var reply = await github.CreateAsync(task.InstallationId, task.RepositoryId, GitHubAccess.Conversation, cancellationToken);
            return signal.Command.Kind == SlashCommandKind.Status
                ? await ReplyAsync(reply, signal, ApprovalMessages.Status(task, await assignments.ListForTaskAsync(task.Id, cancellationToken), await approvals.ListAsync(task.Id, cancellationToken)), cancellationToken)
                : await ReplyAsync(reply, signal, SlashCommand.HelpTable, cancellationToken);
        }

        var client = await github.CreateAsync(task.InstallationId, task.RepositoryId, GitHubAccess.Merge, cancellationToken);

        // Who may approve, how many and whether the requester counts all come from the settings: with none that can be
        // trusted (an invalid file, GitHub unreadable) nothing is decided, and the defaults are never assumed.
        var read = await settingsReader.ReadForDecisionAsync(client, task.Owner, task.Name, task.DefaultBranch, cancellationToken);
        if (read.Settings is not { } settings)
        {
            var error = read.Error ?? "no settings";
            await audit.RecordAsync(signal.Command.Kind == SlashCommandKind.Approve ? AuditKinds.ApprovalRefused : AuditKinds.CommandRefused, task.Id, signal.Actor,
                new { command = signal.Command.Name, reason = "settings unavailable", error, sha = signal.Sha, source = signal.Source.ToString() }, cancellationToken);
            return await RefuseAsync(client, signal, "the default branch's `.github/atom.yml` could not be used", cancellationToken, audited: true,
                body: ApprovalMessages.SettingsUnavailable(signal.Actor, signal.Command, error));
        }

        if (!await approvers.IsApproverAsync(client, task.Owner, task.Name, task.RepositoryId, signal.Person, settings, cancellationToken))
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
            _ => throw new UnreachableException($"{signal.Command.Kind} is answered above"),
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

        if (!settings.RequesterCanApprove && IsRequester(task, signal.Person))
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
        var valid = await CountedApproversAsync(task, settings, sha, cancellationToken);
        if (valid.Count < settings.RequiredApprovals)
        {
            await conversation.CommentAsync(client, task.Owner, task.Name, task.PullRequest!.Value, ApprovalMessages.Recorded(signal.Actor, sha, valid.Count, settings.RequiredApprovals), cancellationToken);
            return $"approval {valid.Count}/{settings.RequiredApprovals} by {signal.Actor}";
        }

        return await MergeAsync(client, task, settings, sha, valid, cancellationToken);
    }

    /// <summary>The requester by id; a task from before ids were stored compares logins, which can only exclude more.</summary>
    private static bool IsRequester(AtomTask task, GitHubPerson person) =>
        task.RequestedById is { } id ? id == person.Id : string.Equals(person.Login, task.RequestedBy, StringComparison.OrdinalIgnoreCase);

    private async Task<IReadOnlyList<GitHubPerson>> CountedApproversAsync(AtomTask task, RepoSettings settings, string sha, CancellationToken cancellationToken) =>
        (await approvals.ValidApproversAsync(task.Id, sha, cancellationToken))
            .Where(p => settings.RequesterCanApprove || !IsRequester(task, p))
            .ToList();

    private async Task<string> MergeAsync(IGitHubClient client, AtomTask task, RepoSettings settings, string sha, IReadOnlyList<GitHubPerson> counted, CancellationToken cancellationToken)
    {
        if (!await approvals.ClaimMergeAsync(task.Id, sha, cancellationToken))
        {
            return "approved; another signal is already merging";
        }

        var pr = task.PullRequest!.Value;

        // Right before the merge: every counted approver must still be one, asked afresh (not the minute-long cache),
        // and the approvals must not have been withdrawn meanwhile.
        var stillValid = (await CountedApproversAsync(task, settings, sha, cancellationToken)).Select(p => p.Id).ToHashSet();
        var lost = new List<(GitHubPerson Person, string Why)>();
        var approvedBy = new List<GitHubPerson>();
        foreach (var person in counted)
        {
            if (!stillValid.Contains(person.Id))
            {
                lost.Add((person, "their approval was withdrawn"));
            }
            else if (!await approvers.IsApproverAsync(client, task.Owner, task.Name, task.RepositoryId, person, settings, cancellationToken, fresh: true))
            {
                lost.Add((person, "they are no longer an approver of this repository"));
            }
            else
            {
                approvedBy.Add(person);
            }
        }

        if (approvedBy.Count < settings.RequiredApprovals)
        {
            await approvals.ReleaseMergeAsync(task.Id, cancellationToken);
            var reason = ApprovalMessages.NoLongerCounted(lost, approvedBy.Count, settings.RequiredApprovals);
            await audit.RecordAsync(AuditKinds.MergeRefused, task.Id, Actors.Atom, new
            {
                sha,
                reason,
                noLongerCounted = lost.Select(l => new { login = l.Person.Login, id = l.Person.Id, why = l.Why }),
            }, cancellationToken);
            await conversation.CommentAsync(client, task.Owner, task.Name, pr, reason, cancellationToken);
            return $"merge refused: {lost.Count} approver(s) no longer count";
        }

        var logins = approvedBy.Select(p => p.Login).ToList();
        if (!settings.MergeOnApproval)
        {
            await client.Repository.Status.Create(task.Owner, task.Name, sha, new NewCommitStatus
            {
                State = CommitState.Success,
                Context = "atom/approval",
                Description = $"Approved by {string.Join(", ", logins)}",
            });
            await client.Issue.Labels.AddToIssue(task.Owner, task.Name, pr, ["atom:approved"]);
            await audit.RecordAsync(AuditKinds.ApprovalAccepted, task.Id, Actors.Atom, new { sha, approvedBy = logins, merge = "left to a human" }, cancellationToken);
            await conversation.CommentAsync(client, task.Owner, task.Name, pr, ApprovalMessages.Approved(sha), cancellationToken);
            return "approved; a human merges";
        }

        if (await NotMergeableAsync(client, task, cancellationToken) is { } notOurs)
        {
            await approvals.ReleaseMergeAsync(task.Id, cancellationToken);
            await audit.RecordAsync(AuditKinds.MergeRefused, task.Id, Actors.Atom, new { sha, reason = notOurs }, cancellationToken);
            await conversation.CommentAsync(client, task.Owner, task.Name, pr, ApprovalMessages.NotMerged(sha, notOurs), cancellationToken);
            LogMergeRefused(logger, task.Id, 0, notOurs);
            return $"merge refused: {notOurs}";
        }

        var ordered = await audit.RecordAsync(AuditKinds.MergeOrdered, task.Id, Actors.Atom, new { sha, approvedBy = logins, approvedByIds = approvedBy.Select(p => p.Id), method = settings.MergeMethod }, cancellationToken);
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
            await audit.RecordAsync(AuditKinds.MergeRefused, task.Id, Actors.Atom, new { sha, status = (int)ex.StatusCode, reason = ex.Message }, cancellationToken);
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
        await audit.RecordAsync(AuditKinds.Merge, task.Id, Actors.Atom, new { sha, mergeCommit = merged.Sha, approvedBy = logins, approvedByIds = approvedBy.Select(p => p.Id) }, cancellationToken);
        await tasks.TransitionAsync(task.Id, TaskTransitions.Merge, Actors.Atom, $"merged {ApprovalMessages.Abbreviate(sha)} as {ApprovalMessages.Abbreviate(merged.Sha)}", cancellationToken);
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
        if (!TaskTransitions.Reject.Allows(task.State))
        {
            return await RefuseAsync(client, signal, $"the task is already {task.State.ToName()}", cancellationToken);
        }

        if (!await tasks.TransitionAsync(task.Id, TaskTransitions.Reject, signal.Actor, signal.Command.Argument.Length > 0 ? signal.Command.Argument : "rejected", cancellationToken))
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
        if (task.State.IsEnded())
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

    private async Task<string> RefuseAsync(IGitHubClient client, Signal signal, string reason, CancellationToken cancellationToken, bool audited = false, string? body = null)
    {
        if (!audited)
        {
            await audit.RecordAsync(signal.Command.Kind == SlashCommandKind.Approve ? AuditKinds.ApprovalRefused : AuditKinds.CommandRefused, signal.Task.Id, signal.Actor,
                new { command = signal.Command.Name, reason, source = signal.Source.ToString() }, cancellationToken);
        }

        await conversation.CommentAsync(client, signal.Task.Owner, signal.Task.Name, signal.Number, body ?? ApprovalMessages.Refused(signal.Actor, signal.Command, reason), cancellationToken);
        LogRefused(logger, signal.Task.Id, signal.Command.Name, signal.Actor, reason);
        return $"refused {signal.Command.Name}: {reason}";
    }

    /// <summary>
    /// Why Atom must not merge this pull request, or null: its base must still be the default branch, its head the task's
    /// branch in this repository (not a fork's branch of the same name), and Atom must have opened it.
    /// </summary>
    private async Task<string?> NotMergeableAsync(IGitHubClient client, AtomTask task, CancellationToken cancellationToken)
    {
        var pull = await client.PullRequest.Get(task.Owner, task.Name, task.PullRequest!.Value);
        if (pull.Base?.Ref != task.DefaultBranch)
        {
            return $"its base is `{pull.Base?.Ref}`, not the default branch `{task.DefaultBranch}`";
        }

        if (pull.Head?.Ref != task.Branch)
        {
            return $"its head is `{pull.Head?.Ref}`, not Atom's branch `{task.Branch}`";
        }

        if (pull.Head?.Repository is not { } headRepository || pull.Base?.Repository is not { } baseRepository || headRepository.Id != baseRepository.Id)
        {
            return "its head branch is in another repository (a fork), not in this one";
        }

        if (pull.User is null || !await bots.IsSelfAsync(pull.User.Id, pull.User.Login, pull.User.Type?.ToString(), task.InstallationId, cancellationToken))
        {
            return $"it was opened by @{pull.User?.Login ?? "unknown"}, not by Atom";
        }

        return null;
    }

    private static string ReviewState(string state) => state.Replace("_", "", StringComparison.Ordinal).ToUpperInvariant();

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
