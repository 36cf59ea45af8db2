using System.Diagnostics;
using Atom.Bot.Audit;
using Atom.Bot.Configuration;
using Atom.Bot.GitHub;
using Atom.Bot.Jobs;
using Atom.Bot.Supervisor;
using Atom.Bot.Tasks;
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

        if (await NotMergeableAsync(client, task, cancellationToken) is { } notOurs)
        {
            await approvals.ReleaseMergeAsync(task.Id, cancellationToken);
            await audit.RecordAsync(AuditKinds.MergeRefused, task.Id, Actors.Atom, new { sha, reason = notOurs }, cancellationToken);
            await conversation.CommentAsync(client, task.Owner, task.Name, pr, ApprovalMessages.NotMerged(sha, notOurs), cancellationToken);
            LogMergeRefused(logger, task.Id, 0, notOurs);
            return DeliveryOutcome.MergeRefused(notOurs);
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

    private sealed class MergeProgress
    {
        public bool MergeSent { get; set; }
    }

    [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "Task {TaskId}: merged {Sha} as {MergeCommit}")]
    private static partial void LogMerged(ILogger logger, long taskId, string sha, string mergeCommit);

    [LoggerMessage(EventId = 702, Level = LogLevel.Warning, Message = "Task {TaskId}: GitHub refused the merge ({Status}): {Reason}")]
    private static partial void LogMergeRefused(ILogger logger, long taskId, int status, string reason);
}
