using System.Text.Json;
using Atom.Bot.Audit;
using Atom.Bot.Health;
using Atom.Bot.Certification;
using Atom.Bot.Configuration;
using Atom.Bot.Git;
using Atom.Bot.Llm;
using Atom.Bot.Tasks;
using Atom.Bot.Workers;

namespace Atom.Bot.Supervisor;

/// <summary>Gathers what the certification package shows from the store, the evaluation, the LLM pool and the audit log.</summary>
public sealed class PackageAssembler(AssignmentStore assignments, LlmPool llm, AuditLog audit, PlatformMode platform, TokenBudget usage, AtomOptions options)
{
    public async Task<CertificationPackage> AssembleAsync(AtomTask task, RepoSettings settings, Evaluation evaluation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(evaluation);
        var all = await assignments.ListForTaskAsync(task.Id, cancellationToken);
        var latest = all.Where(a => a.Round == task.Round).ToList();
        var plan = task.Plan is null ? null : JsonSerializer.Deserialize<Plan>(task.Plan, JsonSerializerOptions.Web);
        var repositoryScope = Scope.From(settings.Scope);
        var refusals = PackageRows.Refusals(all.SelectMany(a => a.Result?.Refusals ?? []));
        var live = llm.UsageForTask(task.Id);
        // Tokens and their cost come from the store (every instance's requests, across restarts); model time only this
        // process measured, or the workers reported.
        var stored = await usage.TaskModelsAsync(task.Id, cancellationToken);
        var cost = UsageCost.Of(options.LlmPrices, stored.Select(m => (m.Model, m.TokensIn, m.TokensOut)));
        var results = all.Select(a => a.Result).OfType<AssignmentResult>().ToList();
        var reference = await audit.ReferenceForTaskAsync(task.Id, cancellationToken);
        var passed = evaluation.Decision == EvaluationDecision.Pass;
        var files = evaluation.Changes.Count;
        var added = evaluation.Changes.Sum(c => c.LinesAdded);
        var removed = evaluation.Changes.Sum(c => c.LinesRemoved);
        return new CertificationPackage
        {
            TaskId = task.Id,
            Repository = task.Repository,
            IssueNumber = task.IssueNumber,
            IssueTitle = task.IssueTitle,
            DefaultBranch = task.DefaultBranch,
            Branch = task.Branch!,
            HeadSha = evaluation.HeadSha,
            Rounds = task.Round + 1,
            Passed = passed,
            Summary = (passed ? "Certified: " : "Not certified: ")
                + $"{files} file(s) changed (+{added} −{removed}) in {task.Round + 1} round(s). "
                + string.Join(" ", latest.Select(a => a.Result?.Summary).OfType<string>().Select(s => s.Trim())),
            FailureReasons = evaluation.Reasons,
            Plan = new PackagePlan(
                plan?.Rationale ?? "",
                plan?.Fallback,
                all.Select(a => new PackageAssignment(a.Ordinal + (a.Round * 100), a.Title, a.Result?.Outcome.ToString() ?? a.State.ToString(), a.Result?.Summary ?? "", a.Result?.Steps ?? 0, a.Result?.Refusals.Count ?? 0, a.Scope.Allow)).ToList()),
            Scope = new PackageScope(repositoryScope.Allow, repositoryScope.Deny, repositoryScope.MaxFiles, repositoryScope.MaxChangedLines, refusals,
                PackageRows.Refusals(evaluation.Violations)),
            Changes = PackageRows.Changes(evaluation.Changes),
            Tests = evaluation.Tests ?? PackageTests.NotConfigured,
            Auditor = new PackageAuditor(
                evaluation.Verdict?.Model ?? llm.ModelFor(LlmEndpoint.Auditor),
                evaluation.Verdict?.Score,
                evaluation.Verdict?.Verdict,
                settings.Auditor.MinScore,
                AuditorFinding.ToPackage(evaluation.Verdict?.Findings ?? []),
                evaluation.AuditorError),
            SecondAuditor = evaluation.SecondAuditorModel is { } secondModel
                ? new PackageAuditor(
                    secondModel,
                    evaluation.SecondVerdict?.Score,
                    evaluation.SecondVerdict?.Verdict,
                    settings.Auditor.MinScore,
                    AuditorFinding.ToPackage(evaluation.SecondVerdict?.Findings ?? []),
                    evaluation.SecondAuditorError)
                : null,
            AuditorsAgree = evaluation.AuditorsAgree,
            Usage = stored.Count > 0
                ? new PackageUsage(stored.Sum(m => m.TokensIn), stored.Sum(m => m.TokensOut), live.TokensIn > 0 ? live.LlmTime : TimeSpan.FromTicks(results.Sum(r => r.LlmTime.Ticks)), cost)
                : live.TokensIn > 0
                    ? new PackageUsage(live.TokensIn, live.TokensOut, live.LlmTime)
                    : new PackageUsage(results.Sum(r => r.TokensIn), results.Sum(r => r.TokensOut), TimeSpan.FromTicks(results.Sum(r => r.LlmTime.Ticks))),
            Platform = platform.Current.Describe() is { Length: > 0 } mode ? mode : null,
            Mcp = McpLines(latest.Select(a => a.Result).OfType<AssignmentResult>().ToList()),
            Approval = new PackageApproval(settings.RequiredApprovals, settings.Approvers, settings.RequesterCanApprove, settings.MergeOnApproval, settings.MergeMethod),
            Audit = reference is null
                ? new PackageAuditReference(0, 0, "", "", "atom audit verify")
                : new PackageAuditReference(reference.FirstSequence, reference.LastSequence, reference.HeadHash, reference.KeyId, $"{reference.ExportCommand} && {reference.VerifyCommand}"),
        };
    }

    /// <summary>The latest round's MCP calls by tool, then what was not offered and why (each note once).</summary>
    private static List<string> McpLines(IReadOnlyList<AssignmentResult> results)
    {
        var calls = results.SelectMany(r => r.McpCalls).GroupBy(c => c, StringComparer.Ordinal)
            .Select(g => $"{g.Key} called {g.Count()} time(s); its answers reached the model only as quoted data");
        return [.. calls, .. results.SelectMany(r => r.McpNotes).Distinct(StringComparer.Ordinal)];
    }
}
