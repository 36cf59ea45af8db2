using System.Text.Json;
using Atom.Bot.Audit;
using Atom.Bot.Certification;
using Atom.Bot.Configuration;
using Atom.Bot.Git;
using Atom.Bot.GitHub;
using Atom.Bot.Health;
using Atom.Bot.Jobs;
using Atom.Bot.Retrieval;
using Atom.Bot.Tasks;
using Atom.Bot.Telemetry;
using Atom.Bot.Workers;
using Octokit;
using Scope = Atom.Bot.Tasks.Scope;

namespace Atom.Bot.Supervisor;

/// <summary>
/// Drives a task through its states: acknowledge, plan, dispatch, and, once every assignment of the round is final,
/// evaluate and post the certification package (or revise). Every step reads the store first and moves the task with a
/// compare-and-set, so running the same work item twice has the effect of running it once.
/// </summary>
public sealed partial class TaskSupervisor(
    TaskStore tasks,
    AssignmentStore assignments,
    GitHubClientFactory github,
    GitHubConversation conversation,
    GitHubCredentials credentials,
    RepoSettingsReader settingsReader,
    GitWorkspace git,
    Planner planner,
    RepositoryRetrieval retrieval,
    Evaluator evaluator,
    PackageAssembler assembler,
    CertificationPublisher publisher,
    ReviewFeedback reviewFeedback,
    ReviewRequests reviewRequests,
    AuditLog audit,
    TokenBudget budget,
    WorkScheduler scheduler,
    TimeProvider clock,
    PlatformMode platform,
    ILogger<TaskSupervisor> logger) : IWorkItemProcessor<AdvanceTask>
{
    private static readonly TimeSpan AcknowledgementClaimExpiry = TimeSpan.FromMinutes(2);

    /// <summary>How long a new task waits before it looks again whether the platform is still critical.</summary>
    public static readonly TimeSpan PlatformWait = TimeSpan.FromMinutes(1);

    /// <summary>The most of an interdiff kept; the package body shows less when it must fit (<c>BodyLimits</c>).</summary>
    private const int MaxInterdiffBytes = 64 * 1024;

    public async Task ProcessAsync(AdvanceTask work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var task = await tasks.GetAsync(work.TaskId, cancellationToken);
        if (task is null || task.State.IsEnded())
        {
            return;
        }

        try
        {
            await StepAsync(task, cancellationToken);
        }
        catch (GitHubTokenRefusedException refused)
        {
            // A missing permission or repository is not fixed by Hangfire's retries: the task fails now and says what to
            // grant; /retry runs it again once the installation has it.
            await FailAsync(task, $"GitHub would not give Atom the access this step needs. {refused.Message} Grant it to the App's installation, then comment `/retry`", cancellationToken);
        }
    }

    private async Task StepAsync(AtomTask task, CancellationToken cancellationToken)
    {
        if (task.AcknowledgedAt is null)
        {
            await AcknowledgeAsync(task, cancellationToken);
        }

        switch (task.State)
        {
            case TaskState.Accepted:
                if (platform.Level == PlatformLevel.Critical)
                {
                    // New tasks wait while the platform is critical (the acknowledgement said so); work under way goes on.
                    scheduler.Schedule(new AdvanceTask(task.Id), PlatformWait);
                    LogWaitingForPlatform(logger, task.Id, platform.Current.Reason);
                    break;
                }

                if (await tasks.TransitionAsync(task.Id, TaskTransitions.Plan, Actors.Atom, "planning", cancellationToken))
                {
                    await PlanAsync((await tasks.GetAsync(task.Id, cancellationToken))!, cancellationToken);
                }

                break;
            case TaskState.Planning:
                await PlanAsync(task, cancellationToken);
                break;
            case TaskState.Working:
                await EvaluateWhenRoundIsDoneAsync(task, cancellationToken);
                break;
            case TaskState.Evaluating:
                await EvaluateAsync(task, cancellationToken);
                break;
        }
    }

    private async Task AcknowledgeAsync(AtomTask task, CancellationToken cancellationToken)
    {
        // Another job of this task may be acknowledging it right now; the claim lets exactly one comment.
        if (!await tasks.ClaimAcknowledgementAsync(task.Id, AcknowledgementClaimExpiry, cancellationToken))
        {
            return;
        }

        try
        {
            var client = await github.CreateAsync(task.InstallationId, task.RepositoryId, GitHubAccess.Conversation, cancellationToken);
            await conversation.ReactToIssueAsync(client, task.Owner, task.Name, task.IssueNumber, ReactionType.Eyes, cancellationToken);
            var commentId = await conversation.CommentAsync(client, task.Owner, task.Name, task.IssueNumber, TaskMessages.Acknowledgement(task) + (platform.Level == PlatformLevel.Critical ? TaskMessages.WaitingForPlatform(platform.Current.Describe()) : ""), cancellationToken);
            await tasks.MarkAcknowledgedAsync(task.Id, commentId, cancellationToken);
        }
        catch
        {
            await tasks.ReleaseAcknowledgementAsync(task.Id, CancellationToken.None);
            throw;
        }

        LogAcknowledged(logger, task.Id, task.Repository, task.IssueNumber);
    }

    private async Task<RepoSettings?> SettingsAsync(AtomTask task, CancellationToken cancellationToken)
    {
        var client = await github.CreateAsync(task.InstallationId, task.RepositoryId, GitHubAccess.Read, cancellationToken);
        var read = await settingsReader.ReadAsync(client, task.Owner, task.Name, task.DefaultBranch, cancellationToken);
        if (read.Settings is null)
        {
            await FailAsync(task, $"the default branch's `.github/atom.yml` became invalid: {read.Error}", cancellationToken);
        }

        return read.Settings;
    }

    private async Task PlanAsync(AtomTask task, CancellationToken cancellationToken)
    {
        using var activity = task.StartStage("plan");
        if (await SettingsAsync(task, cancellationToken) is not { } settings)
        {
            return;
        }

        var existing = await assignments.ListRoundAsync(task.Id, 0, cancellationToken);
        if (existing.Count == 0)
        {
            if (await budget.CheckTaskAsync(task, settings.Budget, cancellationToken) is { } reached)
            {
                await StopForBudgetAsync(task, reached, "planning", cancellationToken);
                return;
            }

            var token = await credentials.GetTokenAsync(task.InstallationId, task.RepositoryId, GitHubAccess.Read, cancellationToken);
            var repository = new RepositoryRef(task.Owner, task.Name, task.CloneUrl);
            var repositoryScope = Scope.From(settings.Scope);
            await git.FetchAsync(repository, token, cancellationToken);
            var tree = await git.ListFilesAtAsync(repository, task.DefaultBranch, WorkerPrompt.MaxTreeEntries * 10, cancellationToken);
            var skills = await git.ReadFilesAtAsync(repository, task.DefaultBranch, ".atom/skills", ".md", cancellationToken);
            var relevant = await retrieval.RelevantAsync(repository, task.DefaultBranch, $"{task.IssueTitleClean}\n\n{task.IssueBodyClean}", null, cancellationToken);
            var planned = await planner.PlanAsync(task, repositoryScope, tree, skills, relevant.Render(retrieval.Options.BudgetCharacters), cancellationToken);
            if (!planned.IsOk)
            {
                activity.Fail("plan_failed", planned.Error!.Kind.ToString());
                await FailAsync(task, $"the model could not plan the work ({planned.Error!.Kind}: {planned.Error.Message})", cancellationToken);
                return;
            }

            var plan = planned.Value!;
            if (await UnclaimedBranchAsync(task, repository, cancellationToken) is not { } taskBranch)
            {
                return;
            }

            await tasks.SetPlanAsync(task.Id, JsonSerializer.Serialize(plan, JsonSerializerOptions.Web), taskBranch, cancellationToken);
            var entry = await audit.RecordAsync(AuditKinds.Plan, task.Id, Actors.Atom, new
            {
                rationale = plan.Rationale,
                fallback = plan.Fallback,
                missingSkills = plan.MissingSkills,
                assignments = plan.Assignments.Select(a => new { title = a.Title, allow = a.Scope.Allow, deny = a.Scope.Deny }),
            }, cancellationToken);
            LogPlanned(logger, task.Id, plan.Assignments.Count, entry.Sequence);
            existing = await assignments.CreateRoundAsync(task.Id, 0, plan.Assignments.Select((a, i) => new NewAssignment(
                i + 1,
                a.Title,
                a.Instructions,
                null,
                a.Scope,
                plan.Assignments.Count == 1 ? taskBranch : BranchNames.AssignmentBranch(taskBranch, i + 1))).ToList(), cancellationToken);
        }

        activity?.SetTag("atom.assignments", existing.Count);
        if (await tasks.TransitionAsync(task.Id, TaskTransitions.Dispatch, Actors.Atom, $"{existing.Count} assignment(s) dispatched", cancellationToken))
        {
            await DispatchAsync(task, existing, cancellationToken);
        }
    }

    /// <summary>
    /// The task branch to use, one nobody else holds: <c>atom/issue-&lt;n&gt;/&lt;slug&gt;</c>, or
    /// <c>atom/issue-&lt;n&gt;/&lt;slug&gt;-t&lt;task id&gt;</c> when that name (or a branch under it) already exists at the remote
    /// (someone else pushed it, or an earlier task left it): Atom never adopts a branch, and its commits, that this task
    /// did not push. Null, with the task failed and the reason audited, when both names are taken.
    /// </summary>
    private async Task<string?> UnclaimedBranchAsync(AtomTask task, RepositoryRef repository, CancellationToken cancellationToken)
    {
        var preferred = BranchNames.TaskBranch(task.IssueNumber, task.IssueTitle);
        var candidates = new[] { preferred, $"{preferred}-t{task.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)}" };
        foreach (var candidate in candidates)
        {
            var existing = await git.BranchesAtOrUnderAsync(repository, candidate, cancellationToken);
            if (existing.Count == 0)
            {
                return candidate;
            }

            await audit.RecordAsync(AuditKinds.BranchNotAdopted, task.Id, Actors.Atom, new
            {
                branch = candidate,
                existing = existing.Select(b => new { branch = b.Branch, head = b.Sha }),
                reason = "the branch already exists at the remote and this task did not push it",
            }, cancellationToken);
        }

        await FailAsync(task, $"the branches `{candidates[0]}` and `{candidates[1]}` already exist at the remote and Atom did not create them for this task; Atom does not adopt branches it did not push (delete them, or rename them, then `/retry`)", cancellationToken);
        return null;
    }

    private async Task DispatchAsync(AtomTask task, IReadOnlyList<Assignment> round, CancellationToken cancellationToken)
    {
        foreach (var assignment in round.Where(a => a.State == AssignmentState.Queued))
        {
            await audit.RecordAsync(AuditKinds.Dispatch, task.Id, Actors.Atom, new
            {
                assignment = assignment.Id,
                round = assignment.Round,
                ordinal = assignment.Ordinal,
                title = assignment.Title,
                branch = assignment.Branch,
                allow = assignment.Scope.Allow,
                deny = assignment.Scope.Deny,
            }, cancellationToken);
            await assignments.SetJobAsync(assignment.Id, scheduler.Enqueue(new RunAssignment(assignment.Id)), cancellationToken);
        }
    }

    private async Task EvaluateWhenRoundIsDoneAsync(AtomTask task, CancellationToken cancellationToken)
    {
        var round = await assignments.ListRoundAsync(task.Id, task.Round, cancellationToken);
        if (round.Count == 0 || round.Any(a => a.State is AssignmentState.Queued or AssignmentState.Running))
        {
            return;
        }

        // Only the run that wins this compare-and-set evaluates: the last two workers may both wake the supervisor.
        if (await tasks.TransitionAsync(task.Id, TaskTransitions.Evaluate, Actors.Atom, $"round {task.Round} finished", cancellationToken))
        {
            await EvaluateAsync((await tasks.GetAsync(task.Id, cancellationToken))!, cancellationToken);
        }
    }

    private async Task EvaluateAsync(AtomTask task, CancellationToken cancellationToken)
    {
        using var activity = task.StartStage("evaluation");
        if (await SettingsAsync(task, cancellationToken) is not { } settings)
        {
            return;
        }

        // The evaluation ends with the auditor's request; a budget the workers reached stops the task here instead, with
        // their pushed work left on the branches and no package.
        if (await budget.CheckTaskAsync(task, settings.Budget, cancellationToken) is { } reached)
        {
            await StopForBudgetAsync(task, reached, "evaluation", cancellationToken);
            return;
        }

        var round = await assignments.ListRoundAsync(task.Id, task.Round, cancellationToken);
        var ordered = await audit.RecordAsync(AuditKinds.EvaluationStarted, task.Id, Actors.Atom, new { round = task.Round }, cancellationToken);
        var evaluation = await evaluator.EvaluateAsync(task, settings, round, ordered.Hash, cancellationToken);
        await audit.RecordAsync(AuditKinds.Evaluation, task.Id, Actors.Atom, new
        {
            round = task.Round,
            decision = evaluation.Decision.ToString(),
            head = evaluation.HeadSha,
            files = evaluation.Changes.Count,
            violations = evaluation.Violations.Select(v => new { path = v.Path, reason = v.Reason }),
            tests = evaluation.Tests is { Configured: true } t
                ? new { exit = t.ExitCode, timedOut = t.TimedOut, passed = t.Passed, failed = t.Failed, sandbox = t.NotRun is not null ? "unavailable" : t.Unsandboxed ? "none" : "bwrap" }
                : null,
            auditor = evaluation.Verdict is { } v2 ? AuditedVerdict(v2) : null,
            auditor2 = evaluation.SecondVerdict is { } v3 ? AuditedVerdict(v3)
                : evaluation.SecondAuditorError is { } unavailable ? new { model = evaluation.SecondAuditorModel, error = unavailable }
                : null,
            reasons = evaluation.Reasons,
        }, cancellationToken);
        LogEvaluated(logger, task.Id, task.Round, evaluation.Decision);
        activity?.SetTag(AtomTelemetry.Outcome, evaluation.Decision.ToString().ToLowerInvariant());

        if (evaluation.Decision == EvaluationDecision.Revise && task.Round - task.HumanRounds < settings.MaxRevisions)
        {
            await ReviseAsync(task, TaskTransitions.AutomaticRevision, evaluation.Feedback ?? string.Join("\n", evaluation.Reasons), Actors.Atom, byHuman: false, cancellationToken);
            return;
        }

        // Nothing to offer (no commit, an empty diff, conflicting assignments), or a branch that must never be offered
        // as mergeable: the issue hears why and no pull request is opened. A package already posted is updated to
        // failed instead, so that its pull request stops looking certified.
        if (evaluation.Decision == EvaluationDecision.NothingProduced || string.IsNullOrEmpty(evaluation.HeadSha)
            || (evaluation.Violations.Count > 0 && task.PullRequest is null))
        {
            await publisher.CommentFailureAsync(task.InstallationId, task.RepositoryId, task.Repository, task.IssueNumber, string.Join("; ", evaluation.Reasons), cancellationToken);
            await FailAsync(task, string.Join("; ", evaluation.Reasons), cancellationToken, comment: false);
            return;
        }

        if (task.PullRequest is null && await publisher.ForeignPullRequestAsync(task.InstallationId, task.RepositoryId, task.Repository, task.Branch!, cancellationToken) is { } foreign)
        {
            await audit.RecordAsync(AuditKinds.PullRequestNotAdopted, task.Id, Actors.Atom, new { pullRequest = foreign.Number, author = foreign.Author, branch = task.Branch }, cancellationToken);
            await FailAsync(task, $"pull request #{foreign.Number} from Atom's branch `{task.Branch}` was opened by @{foreign.Author}, not by Atom, and Atom does not adopt it (close it, then `/retry`)", cancellationToken);
            return;
        }

        var package = await assembler.AssembleAsync(task, settings, evaluation, cancellationToken);
        // The head of the package the pull request shows now (its head_sha is cleared while a new round works).
        var previousHead = task.PullRequest is null || task.Package is null
            ? null
            : JsonSerializer.Deserialize<CertificationPackage>(task.Package, JsonSerializerOptions.Web)?.HeadSha;
        if (previousHead is not null && previousHead != package.HeadSha)
        {
            package = package with { Interdiff = await InterdiffAsync(task, previousHead, package.HeadSha, cancellationToken) };
        }

        // The head is certified from the moment its package goes out: an /approve written before then was about another head.
        var certifiedAt = clock.GetUtcNow();
        var outcome = await publisher.PublishAsync(task.InstallationId, task.RepositoryId, package, task.PullRequest, cancellationToken);
        if (outcome.Package is not { } published)
        {
            // A refusal no retry changes (the branch is gone, say): the issue hears why instead of a job retrying for minutes.
            await FailAsync(task, outcome.Refusal!, cancellationToken);
            return;
        }

        await tasks.SetPackageAsync(task.Id, published.PullRequestNumber, package.HeadSha, JsonSerializer.Serialize(package, JsonSerializerOptions.Web), certifiedAt, cancellationToken);
        await audit.RecordAsync(published.Created ? AuditKinds.PackagePosted : AuditKinds.PackageUpdated, task.Id, Actors.Atom, new
        {
            pullRequest = published.PullRequestNumber,
            head = package.HeadSha,
            passed = package.Passed,
            rounds = package.Rounds,
        }, cancellationToken);

        if (previousHead != package.HeadSha)
        {
            // A new head answers the review threads its round was given; the same head (nothing pushed) answers none.
            await reviewFeedback.AnswerAsync(task, task.Round, package.HeadSha, cancellationToken);
        }

        if (package.Passed)
        {
            if (await tasks.TransitionAsync(task.Id, TaskTransitions.Publish, Actors.Atom, $"package posted as #{published.PullRequestNumber}", cancellationToken))
            {
                await RequestReviewsAsync(task, settings, published.PullRequestNumber, cancellationToken);
                DetectGaps(task);
                await CertifyNewerHeadAsync(task, package.HeadSha, published.PullRequestHead, cancellationToken);
            }
        }
        else
        {
            await FailAsync(task, string.Join("; ", evaluation.Reasons), cancellationToken, comment: false);
        }
    }

    /// <summary>
    /// The diff between the head the pull request's package certified before and the new one, from the mirror the
    /// evaluation just fetched. A head the mirror no longer has (a force-push and a garbage collection) is said, not fatal.
    /// </summary>
    private async Task<PackageInterdiff> InterdiffAsync(AtomTask task, string from, string to, CancellationToken cancellationToken)
    {
        try
        {
            var diff = await git.InterdiffAsync(new RepositoryRef(task.Owner, task.Name, task.CloneUrl), from, to, MaxInterdiffBytes, cancellationToken);
            return new PackageInterdiff(from, to, diff);
        }
        catch (GitCommandException ex)
        {
            LogInterdiffUnavailable(logger, task.Id, from, to, ex.Message);
            return new PackageInterdiff(from, to, null, ex.Message);
        }
    }

    /// <summary>
    /// A passed package asks its approvers for a review (<see cref="ReviewRequests"/>). Whom GitHub would not let Atom ask is
    /// recorded and said on the pull request; it never fails the package.
    /// </summary>
    private async Task RequestReviewsAsync(AtomTask task, RepoSettings settings, int pullRequest, CancellationToken cancellationToken)
    {
        var requester = new GitHubPerson(task.RequestedById ?? 0, task.RequestedBy);
        ReviewRequestOutcome outcome;
        try
        {
            outcome = await reviewRequests.RequestAsync(task.InstallationId, task.RepositoryId, task.Repository, pullRequest, settings, requester, cancellationToken);
        }
        catch (Exception ex) when (ex is ApiException or HttpRequestException or GitHubTokenRefusedException)
        {
            // The package is posted and awaits approval: asking for reviews is a courtesy that must not undo it.
            LogReviewRequestFailed(logger, task.Id, pullRequest, ex.Message);
            return;
        }

        if (outcome.Requested.Count == 0 && outcome.Refused.Count == 0)
        {
            return;
        }

        await audit.RecordAsync(AuditKinds.ReviewRequested, task.Id, Actors.Atom, new
        {
            pullRequest,
            requested = outcome.Requested,
            refused = outcome.Refused.Select(r => new { login = r.Login, reason = r.Reason }),
        }, cancellationToken);
        if (outcome.Refused.Count > 0)
        {
            var client = await github.CreateAsync(task.InstallationId, task.RepositoryId, GitHubAccess.Conversation, cancellationToken);
            await conversation.CommentAsync(client, task.Owner, task.Name, pullRequest,
                "Atom could not request a review from " + string.Join("; ", outcome.Refused.Select(r => $"@{r.Login} (GitHub said: {r.Reason})"))
                + ". Approvers can still review or comment `/approve`; check `approvers` in `.github/atom.yml` and the repository's collaborators.",
                cancellationToken);
        }
    }

    /// <summary>
    /// Someone pushed to the branch while the evaluation worked on its pinned commit: that commit is what the package
    /// certifies, and the pull request's newer head is certified next, as a push after the package would be, instead of
    /// the task waiting for an approval no one can give.
    /// </summary>
    private async Task CertifyNewerHeadAsync(AtomTask task, string certified, string? pullRequestHead, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(pullRequestHead) || pullRequestHead == certified)
        {
            return;
        }

        if (await tasks.TransitionAsync(task.Id, TaskTransitions.Recertify, Actors.Atom,
                $"head {pullRequestHead[..Math.Min(7, pullRequestHead.Length)]} was pushed while {certified[..Math.Min(7, certified.Length)]} was evaluated; certifying it", cancellationToken))
        {
            scheduler.Enqueue(new AdvanceTask(task.Id));
        }
    }

    /// <summary>
    /// A human's <c>/revise</c> (or a changes-requested review): the next round works on the same branch with the
    /// feedback, earlier approvals become stale, and the round does not count against <c>max_revisions</c>.
    /// </summary>
    public Task<bool> RequestRevisionAsync(AtomTask task, string feedback, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        return ReviseAsync(task, TaskTransitions.Revise, feedback, actor, byHuman: true, cancellationToken);
    }

    /// <summary>
    /// <c>/retry</c> of a failed or cancelled task: planned tasks run their last round again (from the branches as
    /// pushed); a task that never got a plan starts over from planning.
    /// </summary>
    public async Task<bool> RetryAsync(AtomTask task, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        var last = await assignments.ListRoundAsync(task.Id, task.Round, cancellationToken);
        if (last.Count == 0)
        {
            if (!await tasks.TransitionAsync(task.Id, TaskTransitions.RetryPlanning, actor, "/retry", cancellationToken))
            {
                return false;
            }

            scheduler.Enqueue(new AdvanceTask(task.Id));
            return true;
        }

        return await StartRoundAsync(task, TaskTransitions.RetryRound, byHuman: true, actor, "/retry",
            last.Select(a => new NewAssignment(a.Ordinal, a.Title, a.Instructions, a.Feedback, a.Scope, a.Branch)).ToList(), cancellationToken);
    }

    /// <summary>
    /// The next round works on the task branch itself, as one assignment with the union of the round's scopes: the
    /// branch already holds the combined work, and one writer per branch keeps revisions free of conflicts.
    /// </summary>
    private async Task<bool> ReviseAsync(AtomTask task, TaskTransition transition, string feedback, string actor, bool byHuman, CancellationToken cancellationToken)
    {
        var round = await assignments.ListRoundAsync(task.Id, task.Round, cancellationToken);
        if (round.Count == 0 || task.Branch is null)
        {
            return false;
        }

        var merged = PlanValidator.Merge([.. round.Select(a => new PlannedAssignment(a.Title, a.Instructions, a.Scope))]);
        return await StartRoundAsync(task, transition, byHuman, actor, byHuman ? "revision requested" : "automatic revision",
            [new NewAssignment(1, merged.Title, merged.Instructions, feedback, merged.Scope, task.Branch)], cancellationToken);
    }

    private async Task<bool> StartRoundAsync(AtomTask task, TaskTransition transition, bool byHuman, string actor, string reason, List<NewAssignment> work, CancellationToken cancellationToken)
    {
        if (!transition.Allows(task.State) || !await tasks.NextRoundAsync(task.Id, task.Round, byHuman, cancellationToken))
        {
            return false;
        }

        // Review-thread comments not answered yet are this round's to address, whatever started it.
        for (var i = 0; i < work.Count; i++)
        {
            work[i] = work[i] with { Feedback = await reviewFeedback.ForRoundAsync(task.Id, task.Round + 1, work[i].Feedback, cancellationToken) };
        }

        var next = await assignments.CreateRoundAsync(task.Id, task.Round + 1, work, cancellationToken);
        await audit.RecordAsync(AuditKinds.RevisionRequested, task.Id, actor, new { round = task.Round + 1, reason, byHuman, feedback = work[0].Feedback }, cancellationToken);
        if (!await tasks.TransitionAsync(task.Id, transition, actor, $"round {task.Round + 1}: {reason}", cancellationToken))
        {
            return false;
        }

        await DispatchAsync(task, next, cancellationToken);
        return true;
    }

    /// <summary>
    /// A budget reached: the task fails with the budget as its reason (the state a <c>/retry</c> continues from), the stop
    /// is audited, and the issue hears what was used against which budget and how to continue.
    /// </summary>
    private async Task StopForBudgetAsync(AtomTask task, BudgetStop reached, string before, CancellationToken cancellationToken)
    {
        if (!await FailAsync(task, reached.Reason, cancellationToken, comment: false))
        {
            return;
        }

        await audit.RecordAsync(AuditKinds.BudgetStopped, task.Id, Actors.Atom, new
        {
            limit = reached.Limit == BudgetLimit.Task ? "task" : "month",
            used = reached.Used,
            budget = reached.Budget,
            month = reached.Limit == BudgetLimit.Month ? reached.Month : null,
            before,
            round = task.Round,
            branch = task.Branch,
        }, cancellationToken);
        LogBudgetStopped(logger, task.Id, reached.Limit, reached.Used, reached.Budget, before);
        try
        {
            var client = await github.CreateAsync(task.InstallationId, task.RepositoryId, GitHubAccess.Conversation, cancellationToken);
            await conversation.CommentAsync(client, task.Owner, task.Name, task.IssueNumber, TaskMessages.BudgetStopped(task, reached), cancellationToken);
        }
        catch (GitHubTokenRefusedException)
        {
            // As for any failure: the stop stays in the task's state, the audit log and the log line.
        }
    }

    private async Task<bool> FailAsync(AtomTask task, string reason, CancellationToken cancellationToken, bool comment = true)
    {
        if (!await tasks.TransitionAsync(task.Id, TaskTransitions.Fail, Actors.Atom, reason, cancellationToken))
        {
            return false;
        }

        await assignments.CancelTaskAsync(task.Id, cancellationToken);
        await audit.RecordAsync(AuditKinds.TaskFailed, task.Id, Actors.Atom, new { reason }, cancellationToken);
        DetectGaps(task);
        if (comment)
        {
            try
            {
                await publisher.CommentFailureAsync(task.InstallationId, task.RepositoryId, task.Repository, task.IssueNumber, reason, cancellationToken);
            }
            catch (GitHubTokenRefusedException)
            {
                // Not even a comment is allowed: the failure stays in the task's state, the audit log and the log line.
            }
        }

        LogFailed(logger, task.Id, reason);
        return true;
    }

    /// <summary>
    /// A task came to rest (awaiting approval or failed): its evidence may complete a gap. Detection runs as its own job
    /// and only drafts proposals; it never changes anything the task depends on.
    /// </summary>
    private void DetectGaps(AtomTask task) => scheduler.Enqueue(new TaskSettled(task.RepositoryId));

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Task {TaskId} ({Repository}#{Issue}) acknowledged")]
    private static partial void LogAcknowledged(ILogger logger, long taskId, string repository, int issue);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Task {TaskId} planned: {Assignments} assignment(s), audit entry {Sequence}")]
    private static partial void LogPlanned(ILogger logger, long taskId, int assignments, long sequence);

    /// <summary>A verdict as the audit log keeps it: the findings as a hash, since the package shows them and the log stays small.</summary>
    private static object AuditedVerdict(AuditorVerdict verdict) => new
    {
        model = verdict.Model,
        score = verdict.Score,
        verdict = verdict.Verdict,
        findings = Hashing.Sha256(JsonSerializer.Serialize(verdict.Findings, JsonSerializerOptions.Web)),
    };

    [LoggerMessage(EventId = 302, Level = LogLevel.Information, Message = "Task {TaskId} round {Round} evaluated: {Decision}")]
    private static partial void LogEvaluated(ILogger logger, long taskId, int round, EvaluationDecision decision);

    [LoggerMessage(EventId = 304, Level = LogLevel.Information, Message = "Task {TaskId} waits: the platform is critical ({Reason})")]
    private static partial void LogWaitingForPlatform(ILogger logger, long taskId, string reason);

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "Task {TaskId} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, long taskId, string reason);

    [LoggerMessage(EventId = 307, Level = LogLevel.Warning, Message = "Task {TaskId} stopped before {Step}: its {Limit} token budget is reached ({Used} of {Budget})")]
    private static partial void LogBudgetStopped(ILogger logger, long taskId, BudgetLimit limit, long used, long budget, string step);

    [LoggerMessage(EventId = 352, Level = LogLevel.Warning, Message = "Task {TaskId}: reviews could not be requested on #{PullRequest}: {Reason}")]
    private static partial void LogReviewRequestFailed(ILogger logger, long taskId, int pullRequest, string reason);

    [LoggerMessage(EventId = 351, Level = LogLevel.Warning, Message = "Task {TaskId}: no interdiff from {From} to {To}: {Reason}")]
    private static partial void LogInterdiffUnavailable(ILogger logger, long taskId, string from, string to, string reason);
}
