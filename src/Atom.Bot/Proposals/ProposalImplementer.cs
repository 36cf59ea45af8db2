using System.Globalization;
using Atom.Bot.Audit;
using Atom.Bot.Certification;
using Atom.Bot.Configuration;
using Atom.Bot.Git;
using Atom.Bot.GitHub;
using Atom.Bot.Jobs;
using Atom.Bot.Supervisor;
using Atom.Bot.Tasks;
using Atom.Bot.Workers;
using Octokit;

namespace Atom.Bot.Proposals;

/// <summary>
/// Builds an approved proposal on a branch <c>atom/proposal-&lt;issue&gt;/&lt;slug&gt;</c> and posts it as a
/// certification package (the same body, <c>atom/certification</c> check run and <c>atom:certified</c> label as a task's,
/// through <see cref="CertificationPublisher"/>) labelled <c>atom:proposal</c>. Scope and settings changes are the
/// approved <c>.github/atom.yml</c> text written mechanically (no model); a skill is written by a worker whose guard opens
/// exactly one file and checked by the auditor model. Either way the commit is checked to change only that file before
/// anything is pushed, and nothing reaches the default branch until a human merges the pull request.
/// </summary>
public sealed class ProposalImplementer(
    ProposalStore store,
    ProposalDashboard dashboard,
    GitHubClientFactory github,
    GitHubConversation conversation,
    GitHubCredentials credentials,
    CertificationPublisher publisher,
    RepoSettingsReader settingsReader,
    GitWorkspace git,
    CommitPublisher commits,
    AgentLoop agent,
    AgentLimits limits,
    TestRunner testRunner,
    Auditor auditor,
    AuditLog audit,
    ILogger<ProposalImplementer> logger) : IWorkItemProcessor<ImplementProposal>
{
    Task IWorkItemProcessor<ImplementProposal>.ProcessAsync(ImplementProposal work, CancellationToken cancellationToken) => ImplementAsync(work, cancellationToken);

    public async Task ImplementAsync(ImplementProposal work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var proposal = await store.GetAsync(work.ProposalId, cancellationToken);
        if (proposal is not { State: ProposalState.Approved, ApprovedBy: not null, IssueNumber: { } issue } || proposal.Category == ProposalCategory.Tooling)
        {
            return;
        }

        var client = await github.CreateAsync(proposal.InstallationId, proposal.RepositoryId, GitHubAccess.Conversation, cancellationToken);
        var settings = (await settingsReader.ReadAsync(client, proposal.Owner, proposal.Name, proposal.DefaultBranch, cancellationToken)).Settings;
        if (settings is null)
        {
            await FailAsync(client, proposal, "the default branch's `.github/atom.yml` is invalid", cancellationToken);
            return;
        }

        var token = await credentials.GetTokenAsync(proposal.InstallationId, proposal.RepositoryId, GitHubAccess.Push, cancellationToken);
        var repository = new RepositoryRef(proposal.Owner, proposal.Name, proposal.CloneUrl);
        await git.FetchAsync(repository, token, cancellationToken);
        if (proposal.Change.SettingsBefore is { } before
            && (await git.ReadFilesAtAsync(repository, proposal.DefaultBranch, ".github", ".yml", cancellationToken)).GetValueOrDefault(RepoSettings.Path, "") != before)
        {
            await FailAsync(client, proposal, "the default branch's `.github/atom.yml` changed after the spec was drafted; the approved diff no longer applies", cancellationToken);
            return;
        }

        var branch = $"atom/proposal-{issue.ToString(CultureInfo.InvariantCulture)}/{BranchNames.Slug(proposal.Title)}";
        var checkout = await git.PrepareAsync(repository, proposal.DefaultBranch, branch, token, cancellationToken);
        string sha;
        Built built;
        IReadOnlyList<ChangedFile> diff;
        try
        {
            built = proposal.Category == ProposalCategory.Skill
                ? await WriteSkillAsync(proposal, checkout, settings, cancellationToken)
                : WriteSettings(proposal, checkout);
            if (built.Problem is { } problem)
            {
                await FailAsync(client, proposal, problem, cancellationToken);
                return;
            }

            // Verified like a task's commits when ATOM_GIT_SIGNING or the default branch's rules ask for it.
            var target = new CommitTarget(repository, proposal.InstallationId, proposal.RepositoryId, proposal.DefaultBranch);
            var signing = await commits.PlanAsync(target, cancellationToken);
            if (signing.Problem is { } cannotSign)
            {
                await FailAsync(client, proposal, cannotSign, cancellationToken);
                return;
            }

            CommitOutcome? commit;
            try
            {
                commit = await commits.CommitAsync(checkout, signing, $"{proposal.Title} (proposal #{issue})",
                    [new("Atom-Proposal", proposal.Id.ToString(CultureInfo.InvariantCulture)), new("Atom-Approved-By", proposal.ApprovedBy)], null, cancellationToken);
            }
            catch (GitCommandException signingFailed) when (signing.Method == CommitSigningMethod.Ssh)
            {
                await FailAsync(client, proposal, $"the commit could not be signed: {signingFailed.Message}", cancellationToken);
                return;
            }

            var changes = commit is not null
                ? commit.Files.Select(f => new ScopeChange(f, commit.LinesAdded, commit.LinesRemoved)).ToList()
                : checkout.ContinuesExistingBranch
                    ? (await git.DiffAsync(repository, proposal.DefaultBranch, branch, cancellationToken)).Select(f => new ScopeChange(f.Path, f.LinesAdded, f.LinesRemoved, f.IsSymlink, f.IsSubmodule)).ToList()
                    : [];
            if (changes.Count == 0)
            {
                await FailAsync(client, proposal, "the approved change is already on the default branch: nothing to build", cancellationToken);
                return;
            }

            // The trust boundary's second check, before anything leaves this machine: the one file the spec names, nothing else.
            var violations = built.Grant is { } grant
                ? ScopeGuard.CheckSingleFileChanges(grant.Path, SkillFile.MaxLines, changes)
                : changes.Where(c => c.Path != RepoSettings.Path).Select(c => new ScopeViolation(c.Path, $"is not `{RepoSettings.Path}`, the only file a {proposal.Category.ToName()} proposal changes")).ToList();
            if (violations.Count > 0)
            {
                await FailAsync(client, proposal, string.Join("; ", violations.Select(v => $"`{v.Path}` {v.Reason}")), cancellationToken);
                return;
            }

            sha = commit?.Sha ?? checkout.HeadSha;
            if (commit is not null)
            {
                // Through the Git Data API, the branch holds GitHub's commit (same tree): that is the SHA the package names.
                var push = await commits.PushAsync(target, checkout, signing, commit, token, cancellationToken);
                if (!push.Pushed)
                {
                    await FailAsync(client, proposal, $"the push of `{branch}` was refused: {push.Failure}", cancellationToken);
                    return;
                }

                sha = push.Sha;
            }

            built = built with { Checks = [.. built.Checks, $"the commit changes exactly one file, {changes[0].Path}"] };

            // What the pull request will show, as GitHub computes it: from the merge base, with the file's status.
            diff = await git.DiffAsync(repository, proposal.DefaultBranch, sha, cancellationToken);
        }
        finally
        {
            await git.RemoveAsync(checkout, CancellationToken.None);
        }

        var package = await PackageAsync(proposal, issue, branch, sha, diff, built, settings, cancellationToken);
        var outcome = await publisher.PublishAsync(proposal.InstallationId, proposal.RepositoryId, package, proposal.PullRequest, cancellationToken);
        if (outcome.Package is not { } published)
        {
            await FailAsync(client, proposal, outcome.Refusal!, cancellationToken);
            return;
        }

        await client.Issue.Labels.AddToIssue(proposal.Owner, proposal.Name, published.PullRequestNumber, [ProposalText.Label]);
        if (!await store.SetPullRequestAsync(proposal.Id, branch, published.PullRequestNumber, cancellationToken))
        {
            return;
        }

        await audit.RecordAsync(AuditKinds.ProposalImplemented, null, Actors.Atom, new
        {
            proposal = proposal.Id,
            issue,
            branch,
            sha,
            pullRequest = published.PullRequestNumber,
            change = package.Proposal!.ChangeHash,
            checks = package.Proposal.Checks,
            model = package.Proposal.ModelInvolved,
        }, cancellationToken);
        await dashboard.RefreshAsync(client, proposal.RepositoryId, proposal.Owner, proposal.Name, cancellationToken);
        Log.Implemented(logger, proposal.Id, published.PullRequestNumber, sha);
    }

    private sealed record Built(string? Problem, IReadOnlyList<string> Checks, SkillFileGrant? Grant = null)
    {
        public IReadOnlyList<ScopeViolation> Refusals { get; init; } = [];
        public AuditorVerdict? Verdict { get; init; }
        public AgentRun? Run { get; init; }
    }

    /// <summary>The certification package of a built proposal: the task package's sections, with the approved spec in the plan's place.</summary>
    private async Task<CertificationPackage> PackageAsync(
        Proposal proposal, int issue, string branch, string sha, IReadOnlyList<ChangedFile> diff, Built built, RepoSettings settings, CancellationToken cancellationToken)
    {
        var skill = proposal.Category == ProposalCategory.Skill;
        var file = built.Grant?.Path ?? RepoSettings.Path;
        var range = await audit.RangeForProposalAsync(proposal.Id, cancellationToken);
        var added = diff.Sum(c => c.LinesAdded);
        var removed = diff.Sum(c => c.LinesRemoved);
        var how = skill
            ? "written by a worker whose scope was exactly that file, then checked against the approved spec by the auditor model"
            : "the approved text applied mechanically, no model involved";
        return new CertificationPackage
        {
            TaskId = 0,
            Repository = proposal.Repository,
            IssueNumber = issue,
            IssueTitle = $"Atom proposal #{issue}: {proposal.Title}",
            DefaultBranch = proposal.DefaultBranch,
            Branch = branch,
            HeadSha = sha,
            Rounds = 1,
            Passed = true,
            Summary = $"Certified: the {proposal.Category.ToName()} proposal approved on #{issue}, built as `{file}` (+{added} −{removed}): {how}. "
                + $"The gap it closes: {proposal.Description}",
            Plan = new PackagePlan("", null, []),
            Scope = new PackageScope([file], [], 1, skill ? SkillFile.MaxLines : added + removed,
                PackageRows.Refusals(built.Refusals), []),
            Changes = PackageRows.Changes(diff),
            Tests = PackageTests.NotConfigured,
            Auditor = built.Verdict is { } verdict
                ? new PackageAuditor(verdict.Model, verdict.Score, verdict.Verdict, settings.Auditor.MinScore,
                    AuditorFinding.ToPackage(verdict.Findings), null)
                : new PackageAuditor("none: applied mechanically", null, null, settings.Auditor.MinScore, [], null),
            Usage = built.Run is { } run ? new PackageUsage(run.TokensIn, run.TokensOut, run.LlmTime) : new PackageUsage(0, 0, TimeSpan.Zero),

            // Atom never merges a proposal's pull request, whatever merge_on_approval says for tasks.
            Approval = new PackageApproval(settings.RequiredApprovals, settings.Approvers, settings.RequesterCanApprove, false, settings.MergeMethod),
            Audit = range is null
                ? new PackageAuditReference(0, 0, "", "", "atom audit verify")
                : new PackageAuditReference(range.FirstSequence, range.LastSequence, range.HeadHash, range.KeyId, "atom audit verify"),
            Proposal = new PackageProposal(
                proposal.Id,
                proposal.Category.ToName(),
                proposal.ApprovedBy!,
                proposal.AutoApproved,
                file,
                skill,
                proposal.Change.Skill is { } spec
                    ? [new("Name", spec.Name), new("Purpose", spec.Purpose), new("Inputs", spec.Inputs), new("Outputs", spec.Outputs), new("Constraints", spec.Constraints)]
                    : [],
                proposal.Change.Diff,
                ProposalDrafter.ChangeHash(proposal.Change),
                built.Checks),
        };
    }

    /// <summary>The approved text, written as it is: the approver saw exactly this diff.</summary>
    private static Built WriteSettings(Proposal proposal, Checkout checkout)
    {
        if (proposal.Change.SettingsAfter is not { } after || RepoSettingsParser.Parse(after).Settings is null)
        {
            return new Built("the approved settings do not parse", []);
        }

        var path = Path.Join(checkout.Path, RepoSettings.Path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, after);
        return new Built(null,
        [
            $"{RepoSettings.Path} is the approved text, byte for byte",
            $"it parses and validates as settings again (SHA-256 {Hashing.Sha256(after)})",
        ]);
    }

    private async Task<Built> WriteSkillAsync(Proposal proposal, Checkout checkout, RepoSettings settings, CancellationToken cancellationToken)
    {
        if (SkillFileGrant.ForApproved(proposal) is not { } grant || proposal.Change.Skill is not { } spec)
        {
            return new Built("the proposal is not an approved skill with a valid name", []);
        }

        var toolbox = new WorkerToolbox(ScopeGuard.ForSingleFile(grant.Path, SkillFile.MaxLines, checkout.Path), settings, testRunner, logger);
        // No task id: a proposal's tokens are stored without a task, not under the task that shares its number.
        var run = await agent.RunAsync(
            null,
            SkillPrompt(spec, grant.Path),
            $"Write `{grant.Path}` now, then call finish.",
            toolbox,
            limits,
            refusal => audit.RecordAsync(AuditKinds.ToolRefusals, null, Actors.Worker, new { proposal = proposal.Id, path = refusal.Path, reason = refusal.Reason }, cancellationToken),
            _ => Task.FromResult(true),
            // A proposal is not a task: no task budget applies to writing its skill.
            _ => Task.FromResult<BudgetStop?>(null),
            cancellationToken);
        var file = Path.Join(checkout.Path, grant.Path);
        var content = File.Exists(file) ? await File.ReadAllTextAsync(file, cancellationToken) : null;
        var problem = run.Stop is AgentStop.LlmFailed ? $"the model could not be reached: {run.Error}" : SkillFile.Problem(content, spec);
        List<string> checks = [$"{grant.Path} starts with the heading \"# {spec.Name}\", has the sections {string.Join(", ", SkillFile.RequiredSections)} and is at most {SkillFile.MaxBytes} bytes and {SkillFile.MaxLines} lines"];
        AuditorVerdict? passed = null;
        if (problem is null)
        {
            // The format is right; the auditor model checks that the text is the approved spec and nothing more.
            var specText = $"Purpose: {spec.Purpose}\nInputs: {spec.Inputs}\nOutputs: {spec.Outputs}\nConstraints: {spec.Constraints}";
            var audited = await auditor.AuditSkillAsync(grant.Path, specText, content!, cancellationToken);
            if (!audited.IsOk)
            {
                problem = $"the auditor gave no verdict: {audited.Error!.Message}";
            }
            else if (audited.Value is { } verdict && (verdict.Verdict != AuditorVerdict.Pass || verdict.Score < settings.Auditor.MinScore))
            {
                problem = $"the auditor found that the skill does not match its approved spec ({Auditor.Describe(verdict)}): "
                    + string.Join("; ", verdict.Findings.Select(f => f.Message));
            }
            else
            {
                passed = audited.Value!;
                checks.Add($"the auditor model found it matches the approved spec: {Auditor.Describe(passed)}");
            }
        }

        return new Built(problem, checks, grant) { Refusals = toolbox.Refusals.ToList(), Verdict = passed, Run = run };
    }

    private static string SkillPrompt(SkillSpec spec, string path) => $"""
        You write one skill file for the workers of this repository, exactly as an approver approved its spec.
        You may write only `{path}`; every other path is refused. Use write_file once, then finish.
        The file must start with the line `# {spec.Name}` and contain the sections `## Purpose`, `## Inputs`, `## Outputs`
        and `## Constraints`, at most {SkillFile.MaxBytes} bytes in all.

        The approved spec:
        - Purpose: {spec.Purpose}
        - Inputs: {spec.Inputs}
        - Outputs: {spec.Outputs}
        - Constraints: {spec.Constraints}
        """;

    private async Task FailAsync(IGitHubClient client, Proposal proposal, string reason, CancellationToken cancellationToken)
    {
        if (!await store.TransitionAsync(proposal.Id, [ProposalState.Approved], ProposalState.Failed, reason, cancellationToken))
        {
            return;
        }

        await audit.RecordAsync(AuditKinds.ProposalFailed, null, Actors.Atom, new { proposal = proposal.Id, issue = proposal.IssueNumber, reason }, cancellationToken);
        await conversation.CommentAsync(client, proposal.Owner, proposal.Name, proposal.IssueNumber!.Value, $"The approved proposal could not be built: {reason}. Nothing was pushed.", cancellationToken);
        await dashboard.RefreshAsync(client, proposal.RepositoryId, proposal.Owner, proposal.Name, cancellationToken);
        Log.Failed(logger, proposal.Id, reason);
    }
}
