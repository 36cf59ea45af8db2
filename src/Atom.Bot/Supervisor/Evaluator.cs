using System.Globalization;
using System.Text;
using Atom.Bot.Audit;
using Atom.Bot.Certification;
using Atom.Bot.Configuration;
using Atom.Bot.Git;
using Atom.Bot.GitHub;
using Atom.Bot.Llm;
using Atom.Bot.Tasks;
using Atom.Bot.Workers;

namespace Atom.Bot.Supervisor;

/// <summary>
/// Evaluates a round: combines the assignment branches into the task branch, re-checks the final diff against the
/// repository scope (independently of the tool checks), runs the default branch's test command on a fresh worktree of
/// the task branch, asks the auditor (and the second auditor, when one is set), and decides.
/// </summary>
public sealed class Evaluator(AssignmentStore assignments, GitWorkspace git, GitHubCredentials credentials, CommitPublisher publisher, TestRunner testRunner, Auditor auditor, ExecutionReceipts receipts)
{
    /// <summary>How many refused paths a failure without any change lists.</summary>
    private const int MaxRefusalsShown = 20;

    public async Task<Evaluation> EvaluateAsync(AtomTask task, RepoSettings settings, IReadOnlyList<Assignment> round, string orderedByHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(round);
        var reasons = new List<string>();
        foreach (var failed in round.Where(a => a.State == AssignmentState.Failed))
        {
            reasons.Add($"assignment {failed.Ordinal} ({failed.Title}) failed: {failed.Result?.Error ?? failed.Result?.Summary ?? "no result"}");
        }

        var produced = round.Where(a => a.Result?.CommitSha is not null).ToList();
        if (produced.Count == 0)
        {
            var nothing = reasons.Count > 0 ? EvaluationDecision.Fail : EvaluationDecision.NothingProduced;
            var refused = round.SelectMany(a => a.Result?.Refusals ?? []).DistinctBy(r => (r.Path, r.Reason)).ToList();
            if (reasons.Count == 0)
            {
                reasons.Add(refused.Count > 0 ? "the workers made no change: every change they tried was refused by the scope" : "the workers made no change");
            }

            // Which writes the scope refused, and why: without them "no change" does not say what to change in the issue or the settings.
            reasons.AddRange(refused.Take(MaxRefusalsShown).Select(r => $"`{r.Path}` was refused: it {r.Reason}"));
            if (refused.Count > MaxRefusalsShown)
            {
                reasons.Add($"and {refused.Count - MaxRefusalsShown} more refused path(s)");
            }

            return new Evaluation { Decision = nothing, HeadSha = "", Reasons = reasons };
        }

        var token = await credentials.GetTokenAsync(task.InstallationId, task.RepositoryId, GitHubAccess.Push, cancellationToken);
        var repository = new RepositoryRef(task.Owner, task.Name, task.CloneUrl);
        var branch = task.Branch!;
        await git.FetchAsync(repository, token, cancellationToken);
        if (!(round.Count == 1 && round[0].Branch == branch))
        {
            // Combining deletes the assignment branches in the same push: if they are gone and the task branch exists,
            // an earlier run of this evaluation already combined them.
            var remaining = new List<string>();
            foreach (var a in produced)
            {
                if (await git.HeadOfAsync(repository, a.Branch, cancellationToken) is not null)
                {
                    remaining.Add(a.Branch);
                }
            }

            if (remaining.Count > 0 || await git.HeadOfAsync(repository, branch, cancellationToken) is null)
            {
                // Merge commits are verified like the assignments' commits when ATOM_GIT_SIGNING or the base asks for it.
                var combined = await publisher.CombineAsync(task, produced.Select(a => a.Branch).ToList(), branch, token, cancellationToken);
                if (!combined.Succeeded)
                {
                    reasons.Add(combined.ConflictingFiles.Count > 0
                        ? $"the assignments conflict in {string.Join(", ", combined.ConflictingFiles.Select(f => $"`{f}`"))}"
                        : $"the assignments could not be combined: {combined.Reason}");
                    return new Evaluation { Decision = EvaluationDecision.Fail, HeadSha = "", Reasons = reasons };
                }
            }
        }

        // One pinned commit for everything that follows: the scope re-check, the tests, the auditor's patch and the SHA the
        // package certifies are all this head (and this base), resolved once. A push or a fetch landing meanwhile moves
        // the branch name, not what is being certified; approvals bind to this SHA, so the other head is never approved.
        var head = await git.HeadOfAsync(repository, branch, cancellationToken);
        var baseSha = await git.HeadOfAsync(repository, task.DefaultBranch, cancellationToken);
        if (head is null || baseSha is null)
        {
            reasons.Add(head is null ? $"the task branch `{branch}` is missing at the remote" : $"the default branch `{task.DefaultBranch}` is missing at the remote");
            return new Evaluation { Decision = EvaluationDecision.Fail, HeadSha = "", Reasons = reasons };
        }

        var changes = await git.DiffAsync(repository, baseSha, head, cancellationToken);
        if (changes.Count == 0)
        {
            reasons.Add("the diff against the default branch is empty");
            return new Evaluation { Decision = EvaluationDecision.NothingProduced, HeadSha = head, Reasons = reasons };
        }

        // The trust boundary's second check: the final diff against the repository scope, whatever the tools allowed.
        // Paths are held to the repository scope; the limits, which bind each assignment, bind the task's whole diff
        // as many times over as the plan has assignments.
        var repositoryScope = Scope.From(settings.Scope);
        var planned = Math.Max(1, await assignments.CountRoundAsync(task.Id, 0, cancellationToken));
        var taskScope = repositoryScope with { MaxFiles = repositoryScope.MaxFiles * planned, MaxChangedLines = repositoryScope.MaxChangedLines * planned };
        var violations = ScopeGuard.CheckChanges(taskScope, changes.SelectMany(Changes).ToList());
        if (violations.Count > 0)
        {
            reasons.AddRange(violations.Select(v => $"scope violation: `{v.Path}`: {v.Reason}"));
            return new Evaluation { Decision = EvaluationDecision.Fail, HeadSha = head, Changes = changes, Violations = violations, Reasons = reasons };
        }

        var tests = await RunTestsAsync(task, settings, repository, branch, token, head, orderedByHash, cancellationToken);
        var patch = await git.PatchAsync(repository, baseSha, head, Auditor.MaxPatchChars, cancellationToken);
        // Both auditors get the same question at once; the second is asked only when ATOM_AUDITOR2_* is set.
        var asked = auditor.AuditAsync(task, round, patch, TestSummary(tests), cancellationToken);
        var askedSecond = auditor.HasSecond ? auditor.AuditAsync(task, round, patch, TestSummary(tests), cancellationToken, LlmEndpoint.Auditor2) : null;
        // Both awaited together: a cancellation or a bug in one never leaves the other unobserved.
        await Task.WhenAll(askedSecond is null ? [asked] : [asked, askedSecond]);
        var audit = await asked;
        var second = askedSecond is null ? null : await askedSecond;
        var verdict = audit.IsOk ? audit.Value : null;
        var secondVerdict = second is { IsOk: true } ? second.Value : null;

        var feedback = new StringBuilder();
        var revisable = reasons.Count == 0;
        if (tests.NotRun is not null)
        {
            // Nothing a revision could change: the server has no sandbox.
            reasons.Add(tests.NotRun);
            revisable = false;
        }
        else if (!tests.Succeeded)
        {
            reasons.Add(tests.TimedOut ? $"the tests timed out after {settings.TestTimeoutSeconds} s" : $"the tests failed (exit code {tests.ExitCode})");
            feedback.AppendLine($"The test command `{tests.Command}` failed. Last lines of its output:").AppendLine(tests.OutputTail);
        }

        if (verdict is null)
        {
            reasons.Add($"the auditor gave no verdict: {audit.Error!.Message}");
            revisable = false;
        }
        else if (verdict.Verdict == AuditorVerdict.Fail)
        {
            reasons.Add($"the auditor failed it (score {verdict.Score.ToString("0.00", CultureInfo.InvariantCulture)})");
            revisable = false;
        }
        else if (verdict.Verdict != AuditorVerdict.Pass || verdict.Score < settings.Auditor.MinScore)
        {
            reasons.Add($"the auditor asks for a revision (verdict {verdict.Verdict}, score {verdict.Score.ToString("0.00", CultureInfo.InvariantCulture)}, minimum {settings.Auditor.MinScore.ToString("0.00", CultureInfo.InvariantCulture)})");
        }

        var disagreement = verdict is not null && secondVerdict is not null ? Auditor.Disagreement(verdict, secondVerdict) : null;
        if (second is not null)
        {
            // Certifying on one verdict when two were asked for would hide exactly what the second auditor is there to
            // catch: a human decides (the failed package's needs-attention label), no automatic revision.
            if (secondVerdict is null)
            {
                reasons.Add($"second auditor unavailable: {second.Error!.Message}; the change needs a human's attention instead of a certification on one verdict");
                revisable = false;
            }
            else if (disagreement is not null)
            {
                reasons.Add($"{disagreement}; the change needs a human's attention");
                revisable = false;
            }
            else if (verdict is not null && secondVerdict.Verdict == AuditorVerdict.Pass && secondVerdict.Score < settings.Auditor.MinScore)
            {
                // They agree, but the minimum binds each verdict: the lower score may be the one under it.
                reasons.Add($"the second auditor's score is under the minimum (score {secondVerdict.Score.ToString("0.00", CultureInfo.InvariantCulture)}, minimum {settings.Auditor.MinScore.ToString("0.00", CultureInfo.InvariantCulture)})");
            }
        }

        foreach (var finding in new[] { verdict, secondVerdict }.OfType<AuditorVerdict>().SelectMany(v => v.Findings).Where(f => f.Severity != "info"))
        {
            feedback.AppendLine($"- {finding.Severity}: {finding.Message}{(finding.Path is null ? "" : $" ({finding.Path})")}");
        }

        var decision = reasons.Count == 0 ? EvaluationDecision.Pass : revisable ? EvaluationDecision.Revise : EvaluationDecision.Fail;
        return new Evaluation
        {
            Decision = decision,
            HeadSha = head,
            Changes = changes,
            Tests = tests,
            Verdict = verdict,
            AuditorError = audit.Error?.Message,
            SecondAuditorModel = second is null ? null : secondVerdict?.Model ?? auditor.SecondModel,
            SecondVerdict = secondVerdict,
            AuditorsAgree = verdict is not null && secondVerdict is not null ? disagreement is null : null,
            SecondAuditorError = second?.Error?.Message,
            Reasons = reasons,
            Feedback = feedback.Length == 0 ? null : feedback.ToString(),
        };
    }

    private async Task<PackageTests> RunTestsAsync(AtomTask task, RepoSettings settings, RepositoryRef repository, string branch, string token, string head, string orderedByHash, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(settings.TestCommand))
        {
            return PackageTests.NotConfigured;
        }

        // A fresh worktree of the head that was diffed (not whatever the branch holds by now): nothing a worker left
        // behind takes part, and the tests certify the same commit as the scope check.
        var checkout = await git.PrepareAsync(repository, task.DefaultBranch, branch, token, cancellationToken, commit: head);
        try
        {
            var run = await testRunner.RunAsync(checkout.Path, settings, cancellationToken);
            if (run.Status == TestStatus.NoSandbox)
            {
                // Nothing ran, so there is no execution to receipt.
                return new PackageTests(true, settings.TestCommand, null, false, TimeSpan.Zero, null, null, null, "") { NotRun = run.OutputTail };
            }

            await receipts.RecordAsync(ReceiptKinds.TestRun, task.Id, orderedByHash, new ReceiptFacts
            {
                Command = settings.TestCommand,
                InputSha = head,
                ExitCode = run.ExitCode,
                Duration = run.Duration,
                OutputSha256 = run.OutputSha256,
            }, cancellationToken);
            return new PackageTests(true, settings.TestCommand, run.ExitCode, run.TimedOut, run.Duration, run.Counts?.Passed, run.Counts?.Failed, run.Counts?.Skipped, run.OutputTail) { Unsandboxed = run.Unsandboxed };
        }
        finally
        {
            await git.RemoveAsync(checkout, CancellationToken.None);
        }
    }

    private static string TestSummary(PackageTests tests) =>
        !tests.Configured ? "not configured"
        : tests.NotRun is not null ? TestRunner.NoSandboxText
        : tests.TimedOut ? "timed out"
        : $"exit code {tests.ExitCode}, passed {tests.Passed?.ToString(CultureInfo.InvariantCulture) ?? "?"}, failed {tests.Failed?.ToString(CultureInfo.InvariantCulture) ?? "?"}";

    /// <summary>A rename touches two paths: the old one must be in scope as well as the new one.</summary>
    private static IEnumerable<ScopeChange> Changes(ChangedFile file)
    {
        yield return new ScopeChange(file.Path, file.LinesAdded, file.LinesRemoved, file.IsSymlink, file.IsSubmodule);
        if (file.OldPath is { } old && old != file.Path)
        {
            yield return new ScopeChange(old, 0, 0);
        }
    }
}
