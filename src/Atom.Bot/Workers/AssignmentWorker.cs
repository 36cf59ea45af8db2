using System.Diagnostics;
using System.Globalization;
using Atom.Bot.Audit;
using Atom.Bot.Git;
using Atom.Bot.GitHub;
using Atom.Bot.Jobs;
using Atom.Bot.Retrieval;
using Atom.Bot.Mcp;
using Atom.Bot.Storage;
using Atom.Bot.Supervisor;
using Atom.Bot.Tasks;
using Atom.Bot.Telemetry;

namespace Atom.Bot.Workers;

/// <summary>
/// Runs one assignment: a worktree of the repository's mirror on the assignment branch, the agent loop inside the
/// scope, one commit with trailers, a push. It returns its result through the store and wakes the supervisor; it
/// never calls the supervisor itself.
/// </summary>
public sealed partial class AssignmentWorker(
    AssignmentStore assignments,
    TaskStore tasks,
    GitHubClientFactory github,
    GitHubCredentials credentials,
    RepoSettingsReader settingsReader,
    GitWorkspace git,
    CommitPublisher publisher,
    AgentLoop agent,
    RepositoryRetrieval retrieval,
    AuditLog audit,
    TokenBudget budget,
    ExecutionReceipts receipts,
    TestRunner testRunner,
    McpGateway mcpGateway,
    WorkScheduler scheduler,
    AgentLimits limits,
    InstanceRegistry instance,
    JobOptions jobOptions,
    TimeProvider clock,
    AtomMetrics metrics,
    ILogger<AssignmentWorker> logger) : IWorkItemProcessor<RunAssignment>
{
    Task IWorkItemProcessor<RunAssignment>.ProcessAsync(RunAssignment work, CancellationToken cancellationToken) => RunAsync(work, cancellationToken);

    public async Task RunAsync(RunAssignment work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var assignment = await assignments.ClaimAsync(work.AssignmentId, instance.Id, jobOptions.TakeoverAfter, cancellationToken);
        if (assignment is null)
        {
            // A live run elsewhere holds it (this job is a duplicate: recovery, or a job fetched again). Look again when
            // that claim would expire, so that the assignment is not lost if its instance dies before finishing.
            if (await assignments.HeldUntilAsync(work.AssignmentId, jobOptions.TakeoverAfter, cancellationToken) is { } heldUntil)
            {
                var wait = heldUntil - clock.GetUtcNow() + TimeSpan.FromSeconds(1);
                scheduler.Schedule(work, wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1));
                LogHeldElsewhere(logger, work.AssignmentId, heldUntil);
            }

            return;
        }

        // The job's scope names the assignment; its task is known only now, and every line below should carry it too.
        using var taskScope = logger.BeginScope(new KeyValuePair<string, object?>[] { new("TaskId", assignment.TaskId) });
        var task = await tasks.GetAsync(assignment.TaskId, cancellationToken);
        if (task is null || task.State != TaskState.Working)
        {
            await assignments.FinishAsync(assignment.Id, assignment.ClaimId!, AssignmentState.Cancelled,
                new AssignmentResult { Outcome = AssignmentOutcome.Failed, Summary = "The task is no longer working." }, cancellationToken);
            return;
        }

        using var activity = task.StartStage("assignment");
        activity?.SetTag(AtomTelemetry.AssignmentId, assignment.Id);
        AssignmentResult result;
        using var heartbeatStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var heartbeat = HeartbeatAsync(assignment, heartbeatStop.Token);
        try
        {
            result = await ExecuteAsync(task, assignment, cancellationToken);
        }
        catch (GitHubTokenRefusedException refused)
        {
            // No retry gives the App a permission it lacks: the assignment fails with the reason, the supervisor reports it.
            result = new AssignmentResult
            {
                Outcome = AssignmentOutcome.Failed,
                Summary = "GitHub would not give Atom the access this assignment needs.",
                Error = refused.Message,
            };
        }
        catch (Exception ex)
        {
            activity.Fail(ex.GetType().Name);
            // Hangfire retries the job; the next run claims the assignment again and starts from the remote branch.
            await StopAsync(heartbeatStop, heartbeat);
            await assignments.ReleaseAsync(assignment.Id, assignment.ClaimId!, CancellationToken.None);
            throw;
        }

        await StopAsync(heartbeatStop, heartbeat);

        var state = result.Outcome == AssignmentOutcome.Failed ? AssignmentState.Failed : AssignmentState.Done;
        activity?.SetTag(AtomTelemetry.Outcome, result.Outcome.ToString().ToLowerInvariant());
        if (state == AssignmentState.Failed)
        {
            activity.Fail("assignment_failed");
        }

        if (await assignments.FinishAsync(assignment.Id, assignment.ClaimId!, state, result, cancellationToken))
        {
            await audit.RecordAsync(AuditKinds.AssignmentFinished, task.Id, Actors.Worker, new
            {
                assignment = assignment.Id,
                round = assignment.Round,
                ordinal = assignment.Ordinal,
                outcome = result.Outcome.ToString(),
                summary = result.Summary,
                files = result.FilesChanged,
                added = result.LinesAdded,
                removed = result.LinesRemoved,
                steps = result.Steps,
                refusals = result.Refusals.Count,
                commit = result.CommitSha,
                error = result.Error,
            }, cancellationToken);
            LogFinished(logger, task.Id, assignment.Id, result.Outcome, result.Steps, result.Refusals.Count);
            scheduler.Enqueue(new AdvanceTask(task.Id));
        }
    }

    private async Task<AssignmentResult> ExecuteAsync(AtomTask task, Assignment assignment, CancellationToken cancellationToken)
    {
        var client = await github.CreateAsync(task.InstallationId, task.RepositoryId, GitHubAccess.Read, cancellationToken);
        var settings = await settingsReader.ReadAsync(client, task.Owner, task.Name, task.DefaultBranch, cancellationToken);
        if (settings.Settings is not { } repoSettings)
        {
            return Failed($"The default branch's .github/atom.yml is invalid: {settings.Error}");
        }

        var token = await credentials.GetTokenAsync(task.InstallationId, task.RepositoryId, GitHubAccess.Push, cancellationToken);
        var repository = new RepositoryRef(task.Owner, task.Name, task.CloneUrl);
        var checkout = await git.PrepareAsync(repository, task.DefaultBranch, assignment.Branch, token, cancellationToken);
        try
        {
            // Rules come from the default branch only: the repository scope and the skills are read there, never from
            // the branch the worker writes.
            var scope = assignment.Scope.NarrowTo(Scope.From(repoSettings.Scope));
            var skills = await git.ReadFilesAtAsync(repository, task.DefaultBranch, ".atom/skills", ".md", cancellationToken);
            // Only the servers the default branch's mcp_tools name are opened; a repository without it opens none.
            await using var mcp = repoSettings.McpTools.Length == 0
                ? McpSession.None
                : await mcpGateway.OpenAsync(repoSettings.McpTools, call => audit.RecordAsync(AuditKinds.McpCalled, task.Id, Actors.Worker, new
                {
                    assignment = assignment.Id,
                    server = call.Tool.Server,
                    tool = call.Tool.Tool,
                    status = call.Status.ToString(),
                    input_sha256 = call.InputSha256,
                    output_sha256 = call.OutputSha256,
                    input_bytes = call.InputBytes,
                    output_bytes = call.OutputBytes,
                    ms = (long)call.Duration.TotalMilliseconds,
                }, cancellationToken), cancellationToken);
            var guard = new ScopeGuard(scope, checkout.Path);
            var toolbox = new WorkerToolbox(guard, repoSettings, testRunner, logger, metrics, mcp);
            // Ranked among the files the worker may read: a file outside its scope would only invite a refused call.
            var relevant = await retrieval.RelevantAsync(repository, task.DefaultBranch, $"{assignment.Title}\n\n{assignment.Instructions}",
                path => guard.Check(path, PathAccess.Read).IsAllowed, cancellationToken);
            var run = await agent.RunAsync(
                task.Id,
                WorkerPrompt.System(assignment, scope, FileTree(checkout.Path), skills, relevant.Render(retrieval.Options.BudgetCharacters)),
                WorkerPrompt.User(task, assignment),
                toolbox,
                limits,
                refusal => audit.RecordAsync(AuditKinds.ToolRefusals, task.Id, Actors.Worker, new { assignment = assignment.Id, path = refusal.Path, reason = refusal.Reason }, cancellationToken),
                token => assignments.IsClaimedAsync(assignment.Id, assignment.ClaimId!, token),
                token => budget.CheckTaskAsync(task, repoSettings.Budget, token),
                cancellationToken);

            var ordered = await audit.RecordAsync(AuditKinds.AssignmentWorked, task.Id, Actors.Worker, new
            {
                assignment = assignment.Id,
                stop = run.Stop.ToString(),
                steps = run.Steps,
                tests = toolbox.TestRuns.Count,
                elided = run.ElidedResults,
                mcp_calls = mcp.Calls.Count,
                mcp_notes = mcp.Notes,
            }, cancellationToken);
            // A run that did not happen (not configured, no sandbox) has no receipt: nothing ran.
            foreach (var testRun in toolbox.TestRuns.Where(r => r.Status is not (TestStatus.NotConfigured or TestStatus.NoSandbox)))
            {
                await receipts.RecordAsync(ReceiptKinds.TestRun, task.Id, ordered.Hash, new ReceiptFacts
                {
                    Command = repoSettings.TestCommand ?? "",
                    InputSha = checkout.BaseSha,
                    ExitCode = testRun.ExitCode,
                    Duration = testRun.Duration,
                    OutputSha256 = testRun.OutputSha256,
                }, cancellationToken);
            }

            AssignmentResult Result(AssignmentOutcome outcome, string summary, string? commit = null, string? error = null) => new()
            {
                Outcome = outcome,
                Summary = summary,
                FilesChanged = toolbox.ChangedFiles,
                LinesAdded = toolbox.LinesAdded,
                LinesRemoved = toolbox.LinesRemoved,
                Steps = run.Steps,
                TokensIn = run.TokensIn,
                TokensOut = run.TokensOut,
                LlmTime = run.LlmTime,
                Refusals = toolbox.Refusals.ToList(),
                ToolErrors = toolbox.ToolErrors.ToList(),
                McpCalls = mcp.Calls.ToList(),
                McpNotes = mcp.Notes,
                CommitSha = commit,
                Error = error ?? run.Error,
            };

            if (run.Stop is AgentStop.LlmFailed or AgentStop.Cancelled)
            {
                return Result(AssignmentOutcome.Failed, run.Summary);
            }

            var trailers = new List<KeyValuePair<string, string>>
            {
                new("Atom-Task", task.Id.ToString(CultureInfo.InvariantCulture)),
                new("Atom-Assignment", assignment.Id.ToString(CultureInfo.InvariantCulture)),
            };
            var signing = await publisher.PlanAsync(CommitTarget.Of(task), cancellationToken);
            if (signing.Problem is not null)
            {
                return Result(AssignmentOutcome.Failed, run.Summary, error: signing.Problem);
            }

            var summary = signing.RefusedForNoSignature ? $"{run.Summary}\n\n{UnsignedWarning(task)}" : run.Summary;
            if (signing.RefusedForNoSignature)
            {
                LogUnsigned(logger, task.Id, task.DefaultBranch);
            }

            // Only what the tools wrote, within the scope: files a test run left behind stay out of the commit.
            var pushStarted = Stopwatch.GetTimestamp();
            PublishedCommit? published;
            try
            {
                published = await publisher.CommitAndPushAsync(CommitTarget.Of(task), checkout, signing, CommitMessage(task, assignment, run), trailers, toolbox.ChangedFiles, token, cancellationToken);
            }
            catch (GitCommandException signingFailed) when (signing.Method == CommitSigningMethod.Ssh)
            {
                return Result(AssignmentOutcome.Failed, summary, error: $"the commit could not be signed: {signingFailed.Message}");
            }

            if (published is null)
            {
                return Result(AssignmentOutcome.NothingToDo, run.Summary);
            }

            // The receipt names the commit that is on the branch (GitHub's, for a commit made through the API), which is
            // what the evaluation diffs and certifies.
            await receipts.RecordAsync(ReceiptKinds.Commit, task.Id, ordered.Hash, new ReceiptFacts
            {
                Command = published.Command,
                InputSha = checkout.HeadSha,
                OutputSha = published.Sha,
                ExitCode = published.Pushed ? 0 : 1,
                Duration = Stopwatch.GetElapsedTime(pushStarted),
                Signature = published.Signature,
            }, cancellationToken);
            if (!published.Pushed)
            {
                return Result(AssignmentOutcome.Failed, summary, published.Sha, $"push of {assignment.Branch} rejected: {published.Failure}");
            }

            var outcome = run.Stop is AgentStop.StepLimit or AgentStop.Deadline or AgentStop.BudgetReached ? AssignmentOutcome.LimitReached : AssignmentOutcome.Completed;
            return Result(outcome, summary, published.Sha);
        }
        finally
        {
            await git.RemoveAsync(checkout, CancellationToken.None);
        }
    }

    private static string UnsignedWarning(AtomTask task) =>
        $"**Warning:** `{task.DefaultBranch}` requires signed commits (a ruleset's `required_signatures`), but `ATOM_GIT_SIGNING=none`: "
        + "GitHub will refuse to merge these unsigned commits. Set `ATOM_GIT_SIGNING` to `auto` (docs/git.md, \"Verified commits\").";

    private static AssignmentResult Failed(string error) => new() { Outcome = AssignmentOutcome.Failed, Summary = error, Error = error };

    private static string CommitMessage(AtomTask task, Assignment assignment, AgentRun run)
    {
        var subject = $"{assignment.Title} (#{task.IssueNumber})";
        var body = run.Summary.Length > 2000 ? run.Summary[..2000] : run.Summary;
        return $"{subject}\n\n{body}";
    }

    /// <summary>The checkout's files for the prompt: no symlinks followed, nothing under <c>.git</c>.</summary>
    private static List<string> FileTree(string root)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        return Directory.EnumerateFiles(root, "*", options)
            .Select(path => Path.GetRelativePath(root, path).Replace('\\', '/'))
            .Where(path => !path.StartsWith(".git/", StringComparison.Ordinal) && path != ".git")
            .Take(WorkerPrompt.MaxTreeEntries * 10)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Refreshes the claim every <see cref="JobOptions.Heartbeat"/> while the run lasts, so that other instances know
    /// this one is alive; stops when the claim is lost (the agent loop notices that on its own at its next step).
    /// </summary>
    private async Task HeartbeatAsync(Assignment assignment, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(jobOptions.Heartbeat, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (!await assignments.HeartbeatAsync(assignment.Id, assignment.ClaimId!, cancellationToken))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A database hiccup must not fail the run; a claim that goes stale because of it is taken over, and this
            // run's result is then void (FinishAsync checks the claim).
            LogHeartbeatFailed(logger, assignment.Id, ex);
        }
    }

    private static async Task StopAsync(CancellationTokenSource stop, Task heartbeat)
    {
        await stop.CancelAsync();
        await heartbeat;
    }

    [LoggerMessage(EventId = 5033, Level = LogLevel.Warning, Message = "Task {TaskId}: {Branch} requires signed commits but ATOM_GIT_SIGNING=none; the commit is unsigned and GitHub will refuse it")]
    private static partial void LogUnsigned(ILogger logger, long taskId, string branch);

    [LoggerMessage(EventId = 5031, Level = LogLevel.Information, Message = "Assignment {AssignmentId} is held by a live run until {HeldUntil}; looking again then")]
    private static partial void LogHeldElsewhere(ILogger logger, long assignmentId, DateTimeOffset heldUntil);

    [LoggerMessage(EventId = 5032, Level = LogLevel.Warning, Message = "Assignment {AssignmentId}: its claim could not be refreshed")]
    private static partial void LogHeartbeatFailed(ILogger logger, long assignmentId, Exception exception);

    [LoggerMessage(EventId = 5030, Level = LogLevel.Information, Message = "Task {TaskId}: assignment {AssignmentId} ended {Outcome} after {Steps} steps with {Refusals} refusals")]
    private static partial void LogFinished(ILogger logger, long taskId, long assignmentId, AssignmentOutcome outcome, int steps, int refusals);
}
