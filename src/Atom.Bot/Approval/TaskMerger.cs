using System.Diagnostics;
using Atom.Bot.Audit;
using Atom.Bot.Configuration;
using Atom.Bot.GitHub;
using Atom.Bot.Jobs;
using Atom.Bot.Supervisor;
using Atom.Bot.Tasks;
using Atom.Bot.Telemetry;
using Octokit;

namespace Atom.Bot.Approval;

/// <summary>
/// The merge of a task's approved package: counting the approvals, the fresh re-check of every approver, the checks that
/// the pull request is still Atom's, the SHA-bound merge, and the audit entries, receipt and comments that go with them.
/// Kept apart from <see cref="ApprovalHandler"/>, which decides whether a signal approves, so that merging is one place.
/// </summary>
public sealed partial class TaskMerger(
    TaskStore tasks,
    ApprovalStore approvals,
    ApprovalGate gate,
    BotIdentity bots,
    GitHubConversation conversation,
    AuditLog audit,
    ExecutionReceipts receipts,
    JobOptions jobOptions,
    BranchRulesReader branchRules,
    AtomMetrics metrics,
    ILogger<TaskMerger> logger)
{
    /// <summary>The requester by id; a task from before ids were stored compares logins, which can only exclude more.</summary>
    public static bool IsRequester(AtomTask task, GitHubPerson person) =>
        task.RequestedById is { } id ? id == person.Id : string.Equals(person.Login, task.RequestedBy, StringComparison.OrdinalIgnoreCase);

    /// <summary>The valid approvals of <paramref name="sha"/> that count under the settings (the requester only when allowed).</summary>
    public async Task<IReadOnlyList<GitHubPerson>> CountedApproversAsync(AtomTask task, RepoSettings settings, string sha, CancellationToken cancellationToken) =>
        (await approvals.ValidApproversAsync(task.Id, sha, cancellationToken))
            .Where(p => settings.RequesterCanApprove || !IsRequester(task, p))
            .ToList();

    /// <summary>
    /// Merges the certified <paramref name="sha"/>, given the <paramref name="counted"/> approvals that reach the required
    /// number (or, with <c>merge_on_approval</c> off, marks it approved for a human to merge). One signal claims the merge;
    /// the approvers are asked again, afresh, right before it, and GitHub is told the SHA so a head that moved meanwhile
    /// is never merged.
    /// </summary>
    public async Task<DeliveryOutcome> MergeAsync(IGitHubClient client, AtomTask task, RepoSettings settings, string sha, IReadOnlyList<GitHubPerson> counted, CancellationToken cancellationToken)
    {
        using var activity = task.StartStage("merge");
        activity?.SetTag(AtomTelemetry.PullRequest, task.PullRequest);
        var outcome = await MergeOnceAsync(client, task, settings, sha, counted, cancellationToken);
        var kind = outcome.Kind.ToString().ToLowerInvariant();
        activity?.SetTag(AtomTelemetry.Outcome, kind);
        metrics.MergeCount.Add(1, new KeyValuePair<string, object?>("outcome", kind));
        return outcome;
    }

    private async Task<DeliveryOutcome> MergeOnceAsync(IGitHubClient client, AtomTask task, RepoSettings settings, string sha, IReadOnlyList<GitHubPerson> counted, CancellationToken cancellationToken)
    {
        if (!await approvals.ClaimMergeAsync(task.Id, sha, jobOptions.TakeoverAfter, cancellationToken))
        {
            return DeliveryOutcome.Handled("approved; another signal is already merging");
        }

        // A failure before GitHub was asked to merge gives the claim back, so that the retry of this delivery (or the next
        // approval) can merge; after it, the claim stays until it expires: GitHub may have merged, and its webhook says so.
        var progress = new MergeProgress();
        try
        {
            return await MergeClaimedAsync(client, task, settings, sha, counted, progress, cancellationToken);
        }
        catch (Exception) when (!progress.MergeSent)
        {
            await approvals.ReleaseMergeAsync(task.Id, CancellationToken.None);
            throw;
        }
    }

    private async Task<DeliveryOutcome> MergeClaimedAsync(IGitHubClient client, AtomTask task, RepoSettings settings, string sha, IReadOnlyList<GitHubPerson> counted, MergeProgress progress, CancellationToken cancellationToken)
    {
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
            else if (!await gate.MayApproveAsync(client, task.Owner, task.Name, task.RepositoryId, person, settings, cancellationToken, fresh: true))
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
            await AbandonAsync(task, "the approvals no longer hold", cancellationToken);
            return DeliveryOutcome.MergeRefused($"{lost.Count} approver(s) no longer count");
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
            return DeliveryOutcome.Handled("approved; a human merges");
        }

        var (notOurs, pull) = await NotMergeableAsync(client, task, cancellationToken);
        if (notOurs is not null)
        {
            await approvals.ReleaseMergeAsync(task.Id, cancellationToken);
            await audit.RecordAsync(AuditKinds.MergeRefused, task.Id, Actors.Atom, new { sha, reason = notOurs }, cancellationToken);
            await conversation.CommentAsync(client, task.Owner, task.Name, pr, ApprovalMessages.NotMerged(sha, notOurs), cancellationToken);
            await AbandonAsync(task, notOurs, cancellationToken);
            LogMergeRefused(logger, task.Id, 0, notOurs);
            return DeliveryOutcome.MergeRefused(notOurs);
        }

        // What protects the base decides how (and whether yet) GitHub will merge: asking anyway would only get a 405.
        var rules = await branchRules.ReadAsync(client, task.InstallationId, task.RepositoryId, task.Owner, task.Name, task.DefaultBranch, cancellationToken);
        if (await BlockAsync(client, task, sha, rules, cancellationToken) is { } block)
        {
            await approvals.ReleaseMergeAsync(task.Id, cancellationToken);
            return await BlockedAsync(client, task, sha, block, cancellationToken);
        }

        if (rules.MergeQueueRule is { } queueRule)
        {
            return await EnqueueAsync(client, task, sha, pull.NodeId, queueRule, approvedBy, progress, cancellationToken);
        }

        var ordered = await audit.RecordAsync(AuditKinds.MergeOrdered, task.Id, Actors.Atom, new { sha, approvedBy = logins, approvedByIds = approvedBy.Select(p => p.Id), method = settings.MergeMethod }, cancellationToken);
        PullRequestMerge merged;
        var mergeStarted = Stopwatch.GetTimestamp();
        try
        {
            progress.MergeSent = true;
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
            await AbandonAsync(task, $"GitHub refused the merge: {ex.Message}", cancellationToken);
            LogMergeRefused(logger, task.Id, (int)ex.StatusCode, ex.Message);
            return DeliveryOutcome.MergeRefusedByGitHub((int)ex.StatusCode);
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
        return DeliveryOutcome.Handled($"merged {sha}");
    }

    /// <summary>
    /// Takes a queued task's pull request out of GitHub's merge queue (on <c>/reject</c>, <c>/cancel</c>, or a push that
    /// made the approval stale), and records it; true when GitHub took it out. A task not queued is left alone.
    /// </summary>
    public async Task<bool> DequeueAsync(IGitHubClient client, AtomTask task, string actor, string why, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(task);
        if (task.State != TaskState.MergeQueued || task.PullRequest is not { } pr)
        {
            return false;
        }

        var pull = await client.PullRequest.Get(task.Owner, task.Name, pr);
        var answer = await MergeQueueMutations.DequeueAsync(client, pull.NodeId, cancellationToken);
        await audit.RecordAsync(AuditKinds.MergeDequeued, task.Id, actor, new { sha = task.HeadSha, reason = why, by = "atom", dequeued = answer.Done, error = answer.Error }, cancellationToken);
        LogDequeued(logger, task.Id, why, answer.Error ?? "done");
        return answer.Done;
    }

    /// <summary>
    /// What keeps GitHub from merging <paramref name="sha"/> now, or null: required approving reviews that are missing (a
    /// <c>/approve</c> comment is not one), then any required check that failed, then any not finished.
    /// </summary>
    private static async Task<MergeBlock?> BlockAsync(IGitHubClient client, AtomTask task, string sha, BranchRules rules, CancellationToken cancellationToken)
    {
        var unread = rules.Unread is { } u ? $" (note: {u})" : "";
        var short7 = ApprovalMessages.Abbreviate(sha);
        if (rules.RequiredApprovingReviews > 0 || rules.CodeOwnerReview)
        {
            var reviewers = await BranchRulesReader.ApprovingReviewersAsync(client, task.Owner, task.Name, task.PullRequest!.Value, rules.DismissStaleReviews ? sha : null, cancellationToken);
            var need = Math.Max(rules.RequiredApprovingReviews, 1);
            if (reviewers.Count < need)
            {
                var owners = rules.CodeOwnerReview ? ", one of them by a code owner of the changed files" : "";
                var on = rules.DismissStaleReviews ? $" of `{short7}`" : "";
                return new MergeBlock("reviews",
                    $"the base branch's rule ({rules.ReviewRule}) requires {need} approving pull request review(s){on}{owners}, and there are {reviewers.Count}; "
                    + $"a `/approve` comment is not a GitHub review, so GitHub would refuse the merge. Please approve with a pull request review "
                    + $"(Files changed → Review changes → Approve){unread}", Failing: false);
            }
        }

        var outcomes = await BranchRulesReader.CheckOutcomesAsync(client, task.Owner, task.Name, sha, rules.RequiredChecks, cancellationToken);
        if (outcomes.Where(o => o.Verdict == CheckVerdict.Failed).ToList() is { Count: > 0 } failed)
        {
            return new MergeBlock("checks", $"required check {Names(failed)} failed on `{short7}`{unread}", Failing: true);
        }

        if (outcomes.Where(o => o.Verdict == CheckVerdict.Pending).ToList() is { Count: > 0 } pending)
        {
            return new MergeBlock("checks", $"waiting for required check {Names(pending)} on `{short7}`{unread}", Failing: false);
        }

        return null;
    }

    private static string Names(IEnumerable<CheckOutcome> outcomes) =>
        string.Join(", ", outcomes.Select(o => $"`{o.Check.Context}` ({o.Detail}, required by {o.Check.Rule})"));

    /// <summary>The task waits in <c>merge_blocked</c>, named; a block already said (the same reason) is not said again.</summary>
    private async Task<DeliveryOutcome> BlockedAsync(IGitHubClient client, AtomTask task, string sha, MergeBlock block, CancellationToken cancellationToken)
    {
        var current = await tasks.GetAsync(task.Id, cancellationToken);
        if (current is { State: TaskState.MergeBlocked } && current.StateReason == block.Reason)
        {
            return DeliveryOutcome.Handled($"merge still blocked: {block.Reason}");
        }

        var moved = current?.State == TaskState.MergeBlocked
            ? await tasks.RestateAsync(task.Id, TaskState.MergeBlocked, block.Reason, cancellationToken)
            : await tasks.TransitionAsync(task.Id, TaskTransitions.BlockMerge, Actors.Atom, block.Reason, cancellationToken);
        if (!moved)
        {
            return DeliveryOutcome.Ignored("the task changed state meanwhile");
        }

        await audit.RecordAsync(AuditKinds.MergeBlocked, task.Id, Actors.Atom, new { sha, block = block.Kind, failing = block.Failing, reason = block.Reason }, cancellationToken);
        await conversation.CommentAsync(client, task.Owner, task.Name, task.PullRequest!.Value, ApprovalMessages.MergeBlocked(sha, block.Reason, block.Failing), cancellationToken);
        LogMergeBlocked(logger, task.Id, block.Reason);
        return DeliveryOutcome.Handled($"merge blocked: {block.Reason}");
    }

    private async Task<DeliveryOutcome> EnqueueAsync(
        IGitHubClient client, AtomTask task, string sha, string nodeId, string rule, IReadOnlyList<GitHubPerson> approvedBy, MergeProgress progress, CancellationToken cancellationToken)
    {
        var logins = approvedBy.Select(p => p.Login).ToList();
        await audit.RecordAsync(AuditKinds.MergeOrdered, task.Id, Actors.Atom, new { sha, approvedBy = logins, approvedByIds = approvedBy.Select(p => p.Id), method = "merge queue", rule }, cancellationToken);
        progress.MergeSent = true;
        var answer = await MergeQueueMutations.EnqueueAsync(client, nodeId, sha, cancellationToken);
        if (!answer.Done)
        {
            var error = answer.Error ?? "no reason given";
            await approvals.ReleaseMergeAsync(task.Id, cancellationToken);
            await audit.RecordAsync(AuditKinds.MergeRefused, task.Id, Actors.Atom, new { sha, queue = true, reason = error }, cancellationToken);
            await conversation.CommentAsync(client, task.Owner, task.Name, task.PullRequest!.Value, ApprovalMessages.EnqueueRefused(sha, error), cancellationToken);
            await AbandonAsync(task, $"GitHub refused the merge queue: {error}", cancellationToken);
            LogMergeRefused(logger, task.Id, 0, error);
            return DeliveryOutcome.MergeRefused($"merge queue: {error}");
        }

        await tasks.TransitionAsync(task.Id, TaskTransitions.Enqueue, Actors.Atom, $"in the merge queue at `{ApprovalMessages.Abbreviate(sha)}` ({rule} requires it)", cancellationToken);
        // The state now keeps another approval from queueing it twice; the claim is not needed to.
        await approvals.ReleaseMergeAsync(task.Id, cancellationToken);
        await audit.RecordAsync(AuditKinds.MergeEnqueued, task.Id, Actors.Atom, new { sha, expectedHeadOid = sha, rule, approvedBy = logins }, cancellationToken);
        await conversation.CommentAsync(client, task.Owner, task.Name, task.PullRequest!.Value, ApprovalMessages.Enqueued(sha, rule), cancellationToken);
        LogEnqueued(logger, task.Id, sha);
        return DeliveryOutcome.Handled($"enqueued {sha}");
    }

    /// <summary>A blocked task whose merge is refused for good goes back to awaiting approval: a person acts next.</summary>
    private async Task AbandonAsync(AtomTask task, string why, CancellationToken cancellationToken)
    {
        if ((await tasks.GetAsync(task.Id, cancellationToken))?.State == TaskState.MergeBlocked)
        {
            await tasks.TransitionAsync(task.Id, TaskTransitions.MergeAbandoned, Actors.Atom, why, cancellationToken);
        }
    }

    /// <summary>
    /// Why Atom must not merge this pull request, or null: its base must still be the default branch, its head the task's
    /// branch in this repository (not a fork's branch of the same name), and Atom must have opened it.
    /// </summary>
    private async Task<(string? Reason, PullRequest Pull)> NotMergeableAsync(IGitHubClient client, AtomTask task, CancellationToken cancellationToken)
    {
        var pull = await client.PullRequest.Get(task.Owner, task.Name, task.PullRequest!.Value);
        if (pull.Base?.Ref != task.DefaultBranch)
        {
            return ($"its base is `{pull.Base?.Ref}`, not the default branch `{task.DefaultBranch}`", pull);
        }

        if (pull.Head?.Ref != task.Branch)
        {
            return ($"its head is `{pull.Head?.Ref}`, not Atom's branch `{task.Branch}`", pull);
        }

        if (pull.Head?.Repository is not { } headRepository || pull.Base?.Repository is not { } baseRepository || headRepository.Id != baseRepository.Id)
        {
            return ("its head branch is in another repository (a fork), not in this one", pull);
        }

        if (pull.User is null || !await bots.IsSelfAsync(pull.User.Id, pull.User.Login, pull.User.Type?.ToString(), task.InstallationId, cancellationToken))
        {
            return ($"it was opened by @{pull.User?.Login ?? "unknown"}, not by Atom", pull);
        }

        return (null, pull);
    }

    private sealed class MergeProgress
    {
        public bool MergeSent { get; set; }
    }

    [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "Task {TaskId}: merged {Sha} as {MergeCommit}")]
    private static partial void LogMerged(ILogger logger, long taskId, string sha, string mergeCommit);

    [LoggerMessage(EventId = 702, Level = LogLevel.Warning, Message = "Task {TaskId}: GitHub refused the merge ({Status}): {Reason}")]
    private static partial void LogMergeRefused(ILogger logger, long taskId, int status, string reason);

    [LoggerMessage(EventId = 703, Level = LogLevel.Information, Message = "Task {TaskId}: merge blocked: {Reason}")]
    private static partial void LogMergeBlocked(ILogger logger, long taskId, string reason);

    [LoggerMessage(EventId = 704, Level = LogLevel.Information, Message = "Task {TaskId}: {Sha} put in the merge queue")]
    private static partial void LogEnqueued(ILogger logger, long taskId, string sha);

    [LoggerMessage(EventId = 705, Level = LogLevel.Information, Message = "Task {TaskId}: taken out of the merge queue ({Why}): {Answer}")]
    private static partial void LogDequeued(ILogger logger, long taskId, string why, string answer);
}
