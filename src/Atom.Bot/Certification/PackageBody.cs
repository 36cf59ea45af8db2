using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Atom.Bot.Certification;

/// <summary>
/// The pull request body of a certification package: the sections a human reads, <c>Closes #n</c>, and a hidden
/// machine-readable copy (<c>&lt;!-- atom:package {json} --&gt;</c>) that <see cref="Read"/> parses back.
/// Everything that came from the model, the issue or a test run is escaped (<see cref="Markdown"/>), and the body stays
/// under GitHub's <see cref="MaxLength"/>: long outputs, texts and tables are cut, tables with "… and N more".
/// </summary>
public static class PackageBody
{
    /// <summary>GitHub refuses a pull request body longer than this.</summary>
    public const int MaxLength = 65_536;

    public const string CopyStart = "<!-- atom:package ";
    private const string CopyEnd = " -->";

    // camelCase; the default encoder writes '<', '>' and '&' as \u003C, \u003E, \u0026, so no value can end the comment.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.Default };

    public static string Render(CertificationPackage package)
    {
        ArgumentNullException.ThrowIfNull(package);
        var impact = ImpactAnalysis.Of(package.Changes, package.Scope.Violations.Count);
        foreach (var limits in BodyLimits.Levels)
        {
            var body = Render(package, impact, limits, limits.FullCopy ? package : Abridge(package, limits, keepLists: true));
            if (body.Length <= MaxLength)
            {
                return body;
            }
        }

        // The last level caps every list and text shown, so without lists in its copy the body always fits.
        var last = BodyLimits.Levels[^1];
        return Render(package, impact, last, Abridge(package, last, keepLists: false));
    }

    /// <summary>The hidden copy of a body rendered by <see cref="Render"/>, or null when there is none or it is not valid.</summary>
    public static CertificationPackage? Read(string? body)
    {
        if (string.IsNullOrEmpty(body))
        {
            return null;
        }

        // The copy is the last thing in the body; anything that looks like one earlier is not Atom's.
        var start = body.LastIndexOf(CopyStart, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += CopyStart.Length;
        var end = body.IndexOf(CopyEnd, start, StringComparison.Ordinal);
        if (end < 0)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<CertificationPackage>(body.AsSpan(start, end - start), Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Render(CertificationPackage package, ImpactAnalysis impact, BodyLimits limits, CertificationPackage copy)
    {
        var body = new StringBuilder();
        Banner(body, package, limits);
        Summary(body, package, limits);
        if (package.Proposal is { } proposal)
        {
            ApprovedSpec(body, proposal, limits);
            ProposalScope(body, proposal, package.Scope, impact, limits);
            Changes(body, package.Changes, impact, limits);
            ProposalTests(body, proposal, limits);
            ProposalAuditor(body, proposal, package.Auditor, limits);
            Impact(body, impact, package.Usage, package.Platform, limits);
            ProposalApproval(body, package, proposal);
            AuditReference(body, package, limits);
        }
        else
        {
            Interdiff(body, package.Interdiff, limits);
            Plan(body, package.Plan, limits);
            Scope(body, package.Scope, impact, limits);
            Changes(body, package.Changes, impact, limits);
            Tests(body, package.Tests, limits);
            Auditor(body, package.Auditor, limits);
            SecondAuditor(body, package.SecondAuditor, package.AuditorsAgree, limits);
            Impact(body, impact, package.Usage, package.Platform, limits);
            Mcp(body, package.Mcp, limits);
            Approval(body, package, limits);
            AuditReference(body, package, limits);

            // A proposal's issue is closed by its own handler, with a comment saying what was deployed.
            body.Append("Closes #").Append(package.IssueNumber).Append("\n\n");
        }

        body.Append(CopyStart).Append(JsonSerializer.Serialize(copy, Json)).Append(CopyEnd).Append('\n');
        return body.ToString();
    }

    private static void Banner(StringBuilder body, CertificationPackage package, BodyLimits limits)
    {
        if (package.Passed)
        {
            body.Append("✅ **This package passed certification** at ").Append(Markdown.Code(Short(package.HeadSha)))
                .Append(package.Proposal is null
                    ? ". It merges only once a human approves it (see Approval).\n\n"
                    : ". It takes effect only when a human merges it; Atom never merges a proposal (see Approval).\n\n");
            return;
        }

        body.Append("❌ **This package did not pass.** It cannot be approved as it stands; the pull request stays a draft.\n\n");
        var reasons = package.FailureReasons.Count > 0 ? package.FailureReasons : ["no reason was recorded"];
        foreach (var reason in reasons.Take(limits.Rows))
        {
            body.Append("- ").Append(Markdown.Inline(reason, limits.CellChars)).Append('\n');
        }

        More(body, reasons.Count, limits.Rows);
        body.Append('\n');
    }

    private static void Summary(StringBuilder body, CertificationPackage package, BodyLimits limits)
    {
        body.Append("## Summary\n\n").Append(Markdown.Paragraph(package.Summary, limits.TextChars)).Append("\n\n");
        if (package.Proposal is { } proposal)
        {
            body.Append("Proposal ").Append(proposal.Id).Append(" (").Append(Markdown.Inline(proposal.Category, limits.CellChars))
                .Append(") · issue #").Append(package.IssueNumber).Append(" (").Append(Markdown.Inline(package.IssueTitle, limits.CellChars))
                .Append(") · branch ").Append(Markdown.Code(package.Branch)).Append(" → ").Append(Markdown.Code(package.DefaultBranch))
                .Append(" · head ").Append(Markdown.Code(Short(package.HeadSha)))
                .Append("\n\n");
            return;
        }

        body.Append("Issue #").Append(package.IssueNumber).Append(" (").Append(Markdown.Inline(package.IssueTitle, limits.CellChars))
            .Append(") · task ").Append(package.TaskId)
            .Append(" · branch ").Append(Markdown.Code(package.Branch)).Append(" → ").Append(Markdown.Code(package.DefaultBranch))
            .Append(" · head ").Append(Markdown.Code(Short(package.HeadSha)))
            .Append(" · ").Append(package.Rounds == 1 ? "1 round" : $"{package.Rounds} rounds (revised {package.Rounds - 1}×)")
            .Append("\n\n");
    }

    /// <summary>What changed since the package a human saw before: re-approving means reading this, not the whole diff again.</summary>
    private static void Interdiff(StringBuilder body, PackageInterdiff? interdiff, BodyLimits limits)
    {
        if (interdiff is null)
        {
            return;
        }

        body.Append("## Changes since the last package\n\n")
            .Append("From the head the previous package certified, ").Append(Markdown.Code(Short(interdiff.FromSha)))
            .Append(", to this one, ").Append(Markdown.Code(Short(interdiff.ToSha))).Append(":\n\n");
        if (interdiff.Diff is null)
        {
            body.Append("The difference could not be computed: ").Append(Markdown.Inline(interdiff.Unavailable ?? "unknown reason", limits.CellChars)).Append("\n\n");
            return;
        }

        body.Append(interdiff.Diff.Length == 0
            ? "No file changed (the new head has the same content)."
            : Markdown.Fenced(Markdown.Cut(interdiff.Diff, limits.OutputChars), "diff")).Append("\n\n");
    }

    private static void Plan(StringBuilder body, PackagePlan plan, BodyLimits limits)
    {
        body.Append("## Plan and assignments\n\n");
        if (!string.IsNullOrWhiteSpace(plan.Rationale))
        {
            body.Append(Markdown.Paragraph(plan.Rationale, limits.TextChars)).Append("\n\n");
        }

        if (plan.Fallback is not null)
        {
            body.Append("**Fallback plan:** ").Append(Markdown.Inline(plan.Fallback, limits.CellChars)).Append("\n\n");
        }

        Table(body, ["#", "Assignment", "Outcome", "Steps", "Refusals", "Allowed", "Summary"], plan.Assignments, limits, a =>
        [
            a.Ordinal.ToString(CultureInfo.InvariantCulture),
            Markdown.Inline(a.Title, limits.CellChars),
            Markdown.Inline(a.Outcome, limits.CellChars),
            a.Steps.ToString(CultureInfo.InvariantCulture),
            a.Refusals.ToString(CultureInfo.InvariantCulture),
            Names(a.Allow, limits),
            Markdown.Inline(a.Summary, limits.CellChars),
        ], "No assignments.");
    }

    private static void ApprovedSpec(StringBuilder body, PackageProposal proposal, BodyLimits limits)
    {
        body.Append("## Approved spec\n\n");
        body.Append("Approved by ").Append(Markdown.Inline(proposal.ApprovedBy, limits.CellChars))
            .Append(proposal.AutoApproved ? " (automatically: the repository lists this category in `proposals.auto_approve`)" : "")
            .Append(" on the proposal's issue; this package is built from that spec and nothing else. Its SHA-256: ")
            .Append(Markdown.Code(proposal.ChangeHash)).Append(".\n\n");
        foreach (var field in proposal.Spec)
        {
            body.Append("- **").Append(Markdown.Inline(field.Name, limits.CellChars)).Append(":** ").Append(Markdown.Inline(field.Value, limits.CellChars)).Append('\n');
        }

        if (proposal.Spec.Count > 0)
        {
            body.Append('\n');
        }

        if (proposal.Diff is { } diff)
        {
            body.Append(Markdown.Fenced(Markdown.Cut(diff, limits.OutputChars), "diff")).Append("\n\n");
        }
    }

    private static void ProposalScope(StringBuilder body, PackageProposal proposal, PackageScope scope, ImpactAnalysis impact, BodyLimits limits)
    {
        body.Append("## Scope\n\n");
        body.Append("- **Allowed:** exactly ").Append(Markdown.Code(proposal.File)).Append(proposal.ModelInvolved
            ? ", for read and write: the worker's guard opens that one file and refuses every other path"
            : ", written mechanically with the approved text (no model, no worker)").Append('\n');
        body.Append("- **Denied:** every other path\n");
        body.Append("- **This diff:** ").Append(Plural(impact.Files, "file")).Append(", ").Append(Plural(impact.ChangedLines, "changed line")).Append("\n\n");

        Refusals(body, scope, limits, "None: nothing reached for another path.",
            $"None: the commit, checked against the default branch, changes {Markdown.Code(proposal.File)} and nothing else.");
    }

    private static void ProposalTests(StringBuilder body, PackageProposal proposal, BodyLimits limits)
    {
        body.Append("## Tests\n\n");
        body.Append("The checks of the result against the approved spec are this package's tests; each passed (a failed one opens no pull request):\n\n");
        foreach (var check in proposal.Checks.Take(limits.Rows))
        {
            body.Append("- ✅ ").Append(Markdown.Inline(check, limits.CellChars)).Append('\n');
        }

        More(body, proposal.Checks.Count, limits.Rows);
        body.Append("\nThe repository's `test_command` was not run: the change is ").Append(Markdown.Code(proposal.File))
            .Append(", which Atom reads from the default branch once merged, not code the repository builds or tests.\n\n");
    }

    private static void ProposalAuditor(StringBuilder body, PackageProposal proposal, PackageAuditor auditor, BodyLimits limits)
    {
        if (proposal.ModelInvolved)
        {
            Auditor(body, auditor, limits);
            return;
        }

        body.Append("## Auditor\n\n");
        body.Append("**No model was involved**: the change is the approved text of ").Append(Markdown.Code(proposal.File))
            .Append(", applied mechanically and parsed again as settings. There is no auditor verdict because no model wrote anything.\n\n");
    }

    private static void ProposalApproval(StringBuilder body, CertificationPackage package, PackageProposal proposal)
    {
        body.Append("## Approval\n\n");
        body.Append("The spec is already approved (on #").Append(package.IssueNumber).Append("). **Deployment is the human merge of this pull request**: ")
            .Append(Markdown.Code(proposal.File)).Append(" is read from the default branch only, so nothing changes before it.\n\n");
        body.Append("**Atom never merges a proposal's pull request**: an approving review or `/approve` here is not a package approval and merges nothing. ")
            .Append("Merge it yourself to deploy it, or close it (or `/reject [reason]`) to reject the proposal.\n\n");
        body.Append("This package certifies the head SHA ").Append(Markdown.Code(package.HeadSha))
            .Append(" only: a commit pushed to this branch after it is not certified by Atom.\n\n");
    }

    private static void Scope(StringBuilder body, PackageScope scope, ImpactAnalysis impact, BodyLimits limits)
    {
        body.Append("## Scope\n\n");
        body.Append("- **Allowed:** ").Append(Names(scope.Allow, limits)).Append('\n');
        body.Append("- **Denied:** ").Append(Names(scope.Deny, limits)).Append('\n');
        body.Append("- **Limits:** at most ").Append(scope.MaxFiles).Append(" files and ").Append(scope.MaxChangedLines)
            .Append(" changed lines; this diff: ").Append(impact.Files).Append(" files, ").Append(impact.ChangedLines).Append(" lines\n\n");

        Refusals(body, scope, limits, "None: no tool call reached outside the scope.",
            "None: the final diff, checked again against the default branch, stays inside the scope and its limits.");
    }

    // What the tools refused during the work and what the independent re-check of the final diff found.
    private static void Refusals(StringBuilder body, PackageScope scope, BodyLimits limits, string noRefusals, string noViolations)
    {
        body.Append("**Refusals during the work** (").Append(scope.Refusals.Count).Append(")\n\n");
        Table(body, ["Path", "Reason"], scope.Refusals, limits,
            r => [Markdown.Inline(r.Path, limits.CellChars), Markdown.Inline(r.Reason, limits.CellChars)], noRefusals);

        body.Append("**Violations in the final diff** (").Append(scope.Violations.Count).Append(")\n\n");
        Table(body, ["Path", "Reason"], scope.Violations, limits,
            r => [Markdown.Inline(r.Path, limits.CellChars), Markdown.Inline(r.Reason, limits.CellChars)], noViolations);
    }

    private static void Changes(StringBuilder body, IReadOnlyList<PackageChange> changes, ImpactAnalysis impact, BodyLimits limits)
    {
        body.Append("## Changes\n\n").Append(Plural(impact.Files, "file")).Append(" changed, +").Append(impact.Added)
            .Append(" −").Append(impact.Removed).Append(".\n\n");
        Table(body, ["File", "Status", "+", "−"], changes, limits, c =>
        [
            c.OldPath is null || c.OldPath == c.Path
                ? Markdown.Inline(c.Path, limits.CellChars)
                : $"{Markdown.Inline(c.OldPath, limits.CellChars)} → {Markdown.Inline(c.Path, limits.CellChars)}",
            Markdown.Inline(c.Status, limits.CellChars),
            c.Binary ? "binary" : c.Added.ToString(CultureInfo.InvariantCulture),
            c.Binary ? "binary" : c.Removed.ToString(CultureInfo.InvariantCulture),
        ], "No changes.");
    }

    private static void Tests(StringBuilder body, PackageTests tests, BodyLimits limits)
    {
        body.Append("## Tests\n\n");
        if (!tests.Configured)
        {
            body.Append("**Tests not configured**: the default branch's `.github/atom.yml` has no `test_command`, so no tests ran.\n\n");
            return;
        }

        if (tests.NotRun is not null)
        {
            body.Append("**❌ Tests not run: no sandbox.** Atom runs test commands only inside its sandbox, and it was unavailable, so this package is not certified.\n\n");
            body.Append("- **Command:** ").Append(Markdown.Code(Markdown.Cut(tests.Command, limits.CellChars))).Append('\n');
            body.Append("- **Why:** ").Append(Markdown.Inline(tests.NotRun, limits.CellChars)).Append("\n\n");
            return;
        }

        if (tests.Unsandboxed)
        {
            body.Append("> ⚠️ **Tests ran without a sandbox** (`ATOM_SANDBOX=none`): the test command ran as Atom's own user and could read its secrets, keys and database. Treat this package accordingly.\n\n");
        }

        var result = tests.TimedOut ? $"❌ timed out after {Markdown.Duration(tests.Duration)}"
            : tests.ExitCode == 0 ? "✅ passed"
            : "❌ failed";
        body.Append("- **Command:** ").Append(Markdown.Code(Markdown.Cut(tests.Command, limits.CellChars))).Append('\n');
        body.Append("- **Result:** ").Append(result).Append('\n');
        body.Append("- **Exit code:** ").Append(tests.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none (the run did not finish)").Append('\n');
        body.Append("- **Duration:** ").Append(Markdown.Duration(tests.Duration)).Append('\n');
        body.Append("- **Counts:** ").Append(tests.Passed is null && tests.Failed is null && tests.Skipped is null
            ? "not reported by the runner"
            : $"{Count(tests.Passed)} passed, {Count(tests.Failed)} failed, {Count(tests.Skipped)} skipped").Append("\n\n");
        if (!string.IsNullOrWhiteSpace(tests.OutputTail))
        {
            body.Append("<details><summary>Last lines of output</summary>\n\n")
                .Append(Markdown.Fenced(Markdown.Tail(tests.OutputTail, limits.OutputChars), "text"))
                .Append("\n\n</details>\n\n");
        }
    }

    private static void Auditor(StringBuilder body, PackageAuditor auditor, BodyLimits limits)
    {
        body.Append("## Auditor\n\n");
        Verdict(body, auditor, limits);
    }

    /// <summary>
    /// The second auditor's verdict under the first's, and whether the two agree (a disagreement needs a human). The 0.3
    /// is <c>Supervisor.Auditor.MaxScoreGap</c>, written out because the package never depends on the supervisor.
    /// </summary>
    private static void SecondAuditor(StringBuilder body, PackageAuditor? second, bool? agree, BodyLimits limits)
    {
        if (second is null)
        {
            return;
        }

        body.Append("### Second auditor\n\n");
        body.Append(second.Verdict is null
            ? "⚠️ **Needs attention:** the second auditor gave no verdict, so the first one's alone does not certify this change.\n\n"
            : agree switch
            {
                true => "The two auditors agree: the same verdict, scores at most 0.3 apart.\n\n",
                false => "⚠️ **Needs attention:** the two auditors disagree (another verdict, or scores more than 0.3 apart), so neither certifies this change; a human decides.\n\n",
                null => "The first auditor gave no verdict; the second one's alone does not certify this change.\n\n",
            });
        Verdict(body, second, limits);
    }

    private static void Verdict(StringBuilder body, PackageAuditor auditor, BodyLimits limits)
    {
        body.Append("- **Model:** ").Append(Markdown.Inline(auditor.Model, limits.CellChars)).Append('\n');
        body.Append("- **Score:** ").Append(auditor.Score is { } score
            ? $"{Markdown.Number(score, "0.00")} (minimum {Markdown.Number(auditor.MinScore, "0.00")}) {(score >= auditor.MinScore ? "✅" : "❌")}"
            : $"none (minimum {Markdown.Number(auditor.MinScore, "0.00")})").Append('\n');
        body.Append("- **Verdict:** ").Append(auditor.Verdict is null ? "none" : Markdown.Inline(auditor.Verdict, limits.CellChars)).Append('\n');
        if (!string.IsNullOrWhiteSpace(auditor.Error))
        {
            body.Append("- **Error:** ").Append(Markdown.Inline(auditor.Error, limits.CellChars)).Append('\n');
        }

        body.Append('\n');
        Table(body, ["Severity", "Path", "Finding"], auditor.Findings, limits, f =>
        [
            Markdown.Inline(f.Severity, limits.CellChars),
            Markdown.Inline(f.Path, limits.CellChars),
            Markdown.Inline(f.Message, limits.CellChars),
        ], "No findings.");
    }

    private static void Impact(StringBuilder body, ImpactAnalysis impact, PackageUsage usage, string? platform, BodyLimits limits)
    {
        body.Append("## Impact analysis\n\n");
        body.Append("**Risk: ").Append(impact.Risk.ToString().ToLowerInvariant()).Append("**: ")
            .Append(string.Join("; ", impact.RiskReasons)).Append(".\n\n");
        body.Append("_Rule:_ ").Append(ImpactAnalysis.RuleText).Append(".\n\n");
        Table(body, ["Folder", "Files", "+", "−"], impact.Folders, limits, f =>
        [
            Markdown.Inline(f.Folder, limits.CellChars),
            f.Files.ToString(CultureInfo.InvariantCulture),
            f.Added.ToString(CultureInfo.InvariantCulture),
            f.Removed.ToString(CultureInfo.InvariantCulture),
        ], "No files changed.");
        body.Append("- **Build or dependency files touched** (").Append(impact.BuildFiles.Count).Append("): ").Append(Names(impact.BuildFiles, limits)).Append('\n');
        body.Append("- **Deleted files** (").Append(impact.DeletedFiles.Count).Append("): ").Append(Names(impact.DeletedFiles, limits)).Append('\n');
        body.Append("- **Tests changed** (").Append(impact.TestFiles.Count).Append("): ").Append(Names(impact.TestFiles, limits)).Append('\n');
        body.Append("- **LLM usage:** ").Append(Markdown.Number(usage.TokensIn)).Append(" tokens in, ").Append(Markdown.Number(usage.TokensOut))
            .Append(" tokens out, ").Append(Markdown.Duration(usage.LlmTime)).Append(" of model time")
            .Append(usage.Cost?.Describe() is { Length: > 0 } cost ? $"; {Markdown.Inline(cost, limits.CellChars)}" : "").Append('\n');
        if (platform is not null)
        {
            body.Append("- **Platform:** made while the platform health API reported it ").Append(Markdown.Inline(platform, limits.CellChars))
                .Append(" (LLM timeouts doubled, LLM concurrency halved; when critical, the fallback model for workers)\n");
        }

        body.Append('\n');
    }

    /// <summary>Remote tools fed the model: a reviewer should know which, and which were missing.</summary>
    private static void Mcp(StringBuilder body, IReadOnlyList<string> lines, BodyLimits limits)
    {
        if (lines.Count == 0)
        {
            return;
        }

        body.Append("## MCP tools\n\n");
        foreach (var line in lines.Take(limits.Rows))
        {
            body.Append("- ").Append(Markdown.Inline(line, limits.CellChars)).Append('\n');
        }

        More(body, lines.Count, limits.Rows);
        body.Append('\n');
    }

    private static void Approval(StringBuilder body, CertificationPackage package, BodyLimits limits)
    {
        var approval = package.Approval;
        body.Append("## Approval\n\n");
        if (!package.Passed)
        {
            body.Append("**Not approvable as it stands:** this package did not pass. Comment `/revise <feedback>` to have the worker try again, ")
                .Append("`/retry` to run the task again, or `/reject [reason]` to close it.\n\n");
        }

        body.Append("Approval binds to the head SHA ").Append(Markdown.Code(package.HeadSha))
            .Append(": a new push makes earlier approvals stale, and the new head is certified again before it can be approved.\n\n");
        body.Append("To approve: a pull request review with **Approve**, merging the pull request (recorded as an approval), ")
            .Append("or a comment with `/approve`.\n\n");
        body.Append("- **Required approvals:** ").Append(approval.RequiredApprovals).Append('\n');
        body.Append("- **Approvers:** ").Append(approval.Approvers.Count > 0
            ? Names(approval.Approvers, limits)
            : "anyone with write, maintain or admin permission").Append('\n');
        body.Append("- **Requester may approve:** ").Append(approval.RequesterCanApprove
            ? "yes"
            : "no: someone other than the person who labelled the issue must approve").Append('\n');
        body.Append("- **Merge:** ").Append(approval.MergeOnApproval
            ? $"Atom merges ({Markdown.Inline(approval.MergeMethod, limits.CellChars)}) once approved"
            : "a human merges once approved").Append("\n\n");
        body.Append("To change course: `/revise <feedback>` (the worker revises this branch and a new package follows) or ")
            .Append("`/reject [reason]` (closes this pull request unmerged).\n\n");
    }

    private static void AuditReference(StringBuilder body, CertificationPackage package, BodyLimits limits)
    {
        var audit = package.Audit;
        body.Append("## Audit reference\n\n");
        body.Append("- **Entries:** #").Append(audit.FirstSequence).Append(" to #").Append(audit.LastSequence)
            .Append(package.Proposal is { } proposal
                ? $" of the signed audit log (proposal {proposal.Id})\n"
                : $" of the signed audit log (task {package.TaskId})\n");
        body.Append("- **Head hash:** ").Append(Markdown.Code(audit.HeadHash)).Append('\n');
        body.Append("- **Signing key:** ").Append(Markdown.Code(audit.KeyId)).Append("\n\n");
        body.Append("Verify offline:\n\n").Append(Markdown.Fenced(Markdown.Cut(audit.VerifyCommand, limits.TextChars), "sh")).Append("\n\n");
    }

    private static void Table<T>(StringBuilder body, string[] headers, IReadOnlyList<T> rows, BodyLimits limits, Func<T, string[]> cells, string empty)
    {
        if (rows.Count == 0)
        {
            body.Append(empty).Append("\n\n");
            return;
        }

        body.Append("| ").AppendJoin(" | ", headers).Append(" |\n|").AppendJoin("|", headers.Select(_ => "---")).Append("|\n");
        foreach (var row in rows.Take(limits.Rows))
        {
            body.Append("| ").AppendJoin(" | ", cells(row)).Append(" |\n");
        }

        body.Append('\n');
        More(body, rows.Count, limits.Rows);
    }

    private static void More(StringBuilder body, int total, int shown)
    {
        if (total > shown)
        {
            body.Append("_… and ").Append(total - shown).Append(" more_\n\n");
        }
    }

    private static string Names(IReadOnlyList<string> names, BodyLimits limits)
    {
        if (names.Count == 0)
        {
            return "none";
        }

        var shown = string.Join(", ", names.Take(limits.Rows).Select(n => Markdown.Inline(n, limits.CellChars)));
        return names.Count > limits.Rows ? $"{shown} … and {names.Count - limits.Rows} more" : shown;
    }

    private static CertificationPackage Abridge(CertificationPackage p, BodyLimits limits, bool keepLists)
    {
        var rows = keepLists ? limits.Rows : 0;
        string Text(string text) => Markdown.Cut(text, limits.TextChars);
        string Cell(string text) => Markdown.Cut(text, limits.CellChars);
        IReadOnlyList<T> Take<T>(IReadOnlyList<T> list, Func<T, T> shorten) => list.Take(rows).Select(shorten).ToList();

        // Paths, globs and identifiers are kept whole: a cut one would be wrong, a missing one is only absent.
        return p with
        {
            Abridged = true,
            IssueTitle = Cell(p.IssueTitle),
            Summary = Text(p.Summary),
            FailureReasons = Take(p.FailureReasons, Cell),
            Plan = p.Plan with
            {
                Rationale = Text(p.Plan.Rationale),
                Fallback = p.Plan.Fallback is null ? null : Cell(p.Plan.Fallback),
                Assignments = Take(p.Plan.Assignments, a => a with
                {
                    Title = Cell(a.Title),
                    Outcome = Cell(a.Outcome),
                    Summary = Cell(a.Summary),
                    Allow = a.Allow.Take(rows).ToList(),
                }),
            },
            Scope = p.Scope with
            {
                Allow = p.Scope.Allow.Take(rows).ToList(),
                Deny = p.Scope.Deny.Take(rows).ToList(),
                Refusals = Take(p.Scope.Refusals, r => r with { Reason = Cell(r.Reason) }),
                Violations = Take(p.Scope.Violations, r => r with { Reason = Cell(r.Reason) }),
            },
            Changes = p.Changes.Take(rows).ToList(),
            Tests = p.Tests with
            {
                Command = p.Tests.Command is null ? null : Cell(p.Tests.Command),
                OutputTail = Markdown.Tail(p.Tests.OutputTail, limits.OutputChars),
            },
            Auditor = p.Auditor with
            {
                Model = Cell(p.Auditor.Model),
                Verdict = p.Auditor.Verdict is null ? null : Cell(p.Auditor.Verdict),
                Error = p.Auditor.Error is null ? null : Cell(p.Auditor.Error),
                Findings = Take(p.Auditor.Findings, f => f with { Message = Cell(f.Message) }),
            },
            SecondAuditor = p.SecondAuditor is null ? null : p.SecondAuditor with
            {
                Model = Cell(p.SecondAuditor.Model),
                Verdict = p.SecondAuditor.Verdict is null ? null : Cell(p.SecondAuditor.Verdict),
                Error = p.SecondAuditor.Error is null ? null : Cell(p.SecondAuditor.Error),
                Findings = Take(p.SecondAuditor.Findings, f => f with { Message = Cell(f.Message) }),
            },
            Mcp = Take(p.Mcp, Cell),
            Approval = p.Approval with { Approvers = p.Approval.Approvers.Take(rows).ToList() },
            Interdiff = p.Interdiff is null ? null : p.Interdiff with
            {
                Diff = p.Interdiff.Diff is null ? null : Markdown.Cut(p.Interdiff.Diff, limits.OutputChars),
                Unavailable = p.Interdiff.Unavailable is null ? null : Cell(p.Interdiff.Unavailable),
            },
            Proposal = p.Proposal is null ? null : p.Proposal with
            {
                Spec = Take(p.Proposal.Spec, f => f with { Value = Cell(f.Value) }),
                Diff = p.Proposal.Diff is null ? null : Markdown.Cut(p.Proposal.Diff, limits.OutputChars),
                Checks = Take(p.Proposal.Checks, Cell),
            },
        };
    }

    private static string Short(string sha) => sha.Length > 7 ? sha[..7] : sha;

    private static string Count(int? count) => count?.ToString(CultureInfo.InvariantCulture) ?? "?";

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
