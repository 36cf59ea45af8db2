using System.Text.Json;
using Atom.Bot.Audit;
using Atom.Bot.Configuration;
using Atom.Bot.Git;
using Atom.Bot.GitHub;
using Atom.Bot.Health;
using Atom.Bot.Jobs;
using Atom.Bot.Tasks;
using Octokit;

namespace Atom.Bot.Proposals;

/// <summary>
/// Turns the evidence of a repository's finished tasks into proposals: detects gaps, files one <c>atom:proposal</c>
/// issue per (category, key) or updates the open one with new evidence, skips evidence a human already rejected, and
/// keeps the dashboard current. It drafts only: nothing is pushed or opened as a pull request here, and a spec is
/// approved here only when the repository opted in with <c>proposals.auto_approve</c>.
/// </summary>
public sealed class ProposalDrafter(
    TaskStore tasks,
    AssignmentStore assignments,
    ProposalStore store,
    ProposalDashboard dashboard,
    ProposalWriter writer,
    GitHubClientFactory github,
    GitHubConversation conversation,
    GitHubCredentials credentials,
    RepoSettingsReader settingsReader,
    GitWorkspace git,
    AuditLog audit,
    WorkScheduler scheduler,
    Redactor redactor,
    PlatformMode platform,
    ILogger<ProposalDrafter> logger) : IWorkItemProcessor<TaskSettled>
{
    /// <summary>How many of a repository's newest tasks each detection run reads.</summary>
    public const int RecentTasks = 100;

    /// <summary>How long gap detection is put off while the platform is critical, before it looks again.</summary>
    public static readonly TimeSpan PausedFor = TimeSpan.FromMinutes(5);

    Task IWorkItemProcessor<TaskSettled>.ProcessAsync(TaskSettled work, CancellationToken cancellationToken) => DetectAsync(work, cancellationToken);

    public async Task DetectAsync(TaskSettled work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (platform.Level == PlatformLevel.Critical)
        {
            // Background work pauses while the platform is critical: detection runs once it is not.
            scheduler.Schedule(work, PausedFor);
            return;
        }

        var recent = await tasks.ListForRepositoryAsync(work.RepositoryId, RecentTasks, cancellationToken);
        if (recent.Count == 0)
        {
            return;
        }

        var histories = new List<TaskHistory>();
        foreach (var task in recent)
        {
            histories.Add(new TaskHistory(task, await assignments.ListForTaskAsync(task.Id, cancellationToken), await TestTimeoutsAsync(task.Id, cancellationToken))
            {
                MissingSkills = MissingSkills(task),
            });
        }

        // The thresholds are the repository's, read from GitHub; a history without a single signal needs no read.
        if (GapDetector.Detect(histories, ProposalThresholds.Lowest).Count == 0)
        {
            return;
        }

        var latest = recent[0];
        var client = await github.CreateAsync(latest.InstallationId, latest.RepositoryId, GitHubAccess.Conversation, cancellationToken);
        var settings = (await settingsReader.ReadAsync(client, latest.Owner, latest.Name, latest.DefaultBranch, cancellationToken)).Settings;
        if (settings is null)
        {
            return;
        }

        var fetched = false;
        IReadOnlyCollection<string> skills = [];
        if (histories.Any(h => h.MissingSkills.Count > 0))
        {
            // A skill the plans asked for may exist by now: only the default branch's skills count.
            await FetchAsync(latest, cancellationToken);
            fetched = true;
            var files = await git.ReadFilesAtAsync(Repository(latest), latest.DefaultBranch, SkillNames.Folder, ".md", cancellationToken);
            skills = [.. files.Keys.Select(Path.GetFileNameWithoutExtension).OfType<string>()];
        }

        var gaps = GapDetector.Detect(histories, settings.Proposals.Thresholds, skills);
        if (gaps.Count == 0)
        {
            return;
        }

        string? settingsText = null;
        var changed = false;
        foreach (var gap in gaps)
        {
            if (gap.Category is ProposalCategory.Scope or ProposalCategory.Settings)
            {
                settingsText ??= await SettingsTextAsync(latest, fetched, cancellationToken);
                fetched = true;
            }

            if (Change(gap, settings, settingsText) is not { } change)
            {
                Log.Skipped(logger, gap.Category, gap.Key, "no mechanical change of the default branch's settings closes it");
                continue;
            }

            changed |= await ProposeAsync(client, latest, settings, gap, change, cancellationToken);
        }

        if (changed)
        {
            await dashboard.RefreshAsync(client, latest.RepositoryId, latest.Owner, latest.Name, cancellationToken);
        }
    }

    /// <summary>The change that would close the gap, or null when there is none this category may make.</summary>
    public static ProposedChange? Change(Gap gap, RepoSettings settings, string? settingsText)
    {
        ArgumentNullException.ThrowIfNull(gap);
        ArgumentNullException.ThrowIfNull(settings);
        switch (gap.Category)
        {
            case ProposalCategory.Scope:
                return settingsText is not null && gap.SamplePath is { } sample && AtomYamlEdit.AllowPattern(settingsText, gap.Key, sample) is { } allowed
                    ? new ProposedChange { SettingsBefore = settingsText, SettingsAfter = allowed }
                    : null;
            case ProposalCategory.Settings:
                var seconds = Math.Min(AtomYamlEdit.MaxTestTimeoutSeconds, settings.TestTimeoutSeconds * 2);
                return settingsText is not null && seconds > settings.TestTimeoutSeconds && AtomYamlEdit.SetTestTimeout(settingsText, seconds) is { } raised
                    ? new ProposedChange { SettingsBefore = settingsText, SettingsAfter = raised }
                    : null;
            case ProposalCategory.Skill when gap.SkillName is { } name:
                return new ProposedChange
                {
                    Skill = new SkillSpec(
                        name,
                        $"Give workers the knowledge of `{name}` that the supervisor's plans asked for and no skill in `{SkillNames.Folder}` provides.",
                        "The assignment's instructions and the files inside its scope.",
                        $"Changes made the way this repository expects them where `{name}` applies.",
                        SkillFile.GuidanceOnly),
                };
            case ProposalCategory.Skill:
                var finding = gap.Evidence[0].Detail;
                return new ProposedChange
                {
                    Skill = new SkillSpec(
                        SkillNames.NameFor(gap.Key),
                        $"Guide workers so that their changes no longer draw the repeated finding \"{finding}\".",
                        "The assignment's instructions and the files inside its scope.",
                        "Changes that address the finding before the auditor or a reviewer has to ask.",
                        SkillFile.GuidanceOnly),
                };
            default:
                return new ProposedChange
                {
                    Report = $"{gap.Description} What Atom's maintainers should look at: {(gap.Key.StartsWith("unknown:", StringComparison.Ordinal) ? "whether workers need such a tool, or whether the prompt should say plainly which tools exist" : "why this tool fails and whether its error tells the model how to recover")}.",
                };
        }
    }

    private async Task<bool> ProposeAsync(IGitHubClient client, AtomTask latest, RepoSettings settings, Gap gap, ProposedChange change, CancellationToken cancellationToken)
    {
        var taskIds = gap.TaskIds;
        if (await store.FindActiveAsync(latest.RepositoryId, gap.Category, gap.Key, cancellationToken) is { } active)
        {
            if (active.IssueNumber is null)
            {
                // An earlier run stored it but did not get to file its issue.
                await DraftedAsync(active, await FileIssueAsync(client, active, cancellationToken), cancellationToken);
                return true;
            }

            if (active.State != ProposalState.Open || active.Evidence.Select(e => e.TaskId).Distinct().Order().SequenceEqual(taskIds))
            {
                return false;
            }

            // Batched: the open proposal gets the new evidence; no second issue. A skill spec keeps its wording (the
            // model's, or the template's): new evidence does not change what the skill is for.
            if (!await store.UpdateEvidenceAsync(active.Id, gap.Title, gap.Description, gap.Evidence, active.Change.Skill is null ? change : active.Change, cancellationToken))
            {
                return false;
            }

            var updated = (await store.GetAsync(active.Id, cancellationToken))!;
            await client.Issue.Update(updated.Owner, updated.Name, updated.IssueNumber!.Value, new IssueUpdate { Title = updated.Title, Body = Body(updated) });

            await audit.RecordAsync(AuditKinds.ProposalUpdated, null, Actors.Atom, new { proposal = active.Id, category = gap.Category.ToName(), key = gap.Key, tasks = taskIds }, cancellationToken);
            Log.Updated(logger, active.Id, taskIds.Count);
            return true;
        }

        var rejected = await store.ListRejectedAsync(latest.RepositoryId, gap.Category, gap.Key, cancellationToken);
        if (rejected.Any(r => taskIds.All(id => r.Evidence.Any(e => e.TaskId == id))))
        {
            Log.Skipped(logger, gap.Category, gap.Key, "a human rejected a proposal with this evidence");
            return false;
        }

        // The model words it; what is proposed and why (the evidence, the key, the exact diff) stays Atom's.
        var prose = await writer.WriteAsync(gap, change, cancellationToken);
        change = prose.Change;
        var inserted = await store.InsertAsync(new Proposal
        {
            Id = 0,
            Repository = latest.Repository,
            RepositoryId = latest.RepositoryId,
            InstallationId = latest.InstallationId,
            CloneUrl = latest.CloneUrl,
            DefaultBranch = latest.DefaultBranch,
            Category = gap.Category,
            Key = gap.Key,
            Title = gap.Title,
            State = ProposalState.Open,
            Description = gap.Description,
            Evidence = gap.Evidence,
            Change = change,
            Explanation = prose.Explanation,
            TextModel = prose.Model,
            CreatedAt = DateTimeOffset.MinValue,
            UpdatedAt = DateTimeOffset.MinValue,
        }, cancellationToken);
        if (inserted is null)
        {
            return false;
        }

        var number = await FileIssueAsync(client, inserted, cancellationToken);
        await DraftedAsync(inserted, number, cancellationToken);

        if (settings.Proposals.AutoApprove.Contains(gap.Category.ToName(), StringComparer.Ordinal)
            && await store.ApproveAsync(inserted.Id, ProposalHandler.AutoApprover, auto: true, change, cancellationToken))
        {
            // Step 2 only: the spec is approved as the repository opted in; the pull request still waits for a human merge.
            await audit.RecordAsync(AuditKinds.ProposalApproved, null, ProposalHandler.AutoApprover, new
            {
                proposal = inserted.Id,
                issue = number,
                auto = true,
                change = ChangeHash(change),
            }, cancellationToken);
            await conversation.CommentAsync(client, inserted.Owner, inserted.Name, number,
                $"The spec was approved automatically: this repository lists `{gap.Category.ToName()}` in `proposals.auto_approve`. The pull request that follows still needs a human merge.", cancellationToken);
            if (gap.Category != ProposalCategory.Tooling)
            {
                scheduler.Enqueue(new ImplementProposal(inserted.Id));
            }
        }

        return true;
    }

    private async Task DraftedAsync(Proposal proposal, int issue, CancellationToken cancellationToken)
    {
        await audit.RecordAsync(AuditKinds.ProposalDrafted, null, Actors.Atom, new
        {
            proposal = proposal.Id,
            repository = proposal.Repository,
            issue,
            category = proposal.Category.ToName(),
            key = proposal.Key,
            tasks = proposal.Evidence.Select(e => e.TaskId).Distinct().Order().ToList(),
            change = ChangeHash(proposal.Change),
            text = proposal.TextModel is null ? "template" : "model",
            model = proposal.TextModel,
        }, cancellationToken);
        Log.Drafted(logger, proposal.Id, proposal.Category, proposal.Key, issue);
    }

    private async Task<int> FileIssueAsync(IGitHubClient client, Proposal proposal, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var issue = new NewIssue(proposal.Title) { Body = Body(proposal) };
        issue.Labels.Add(ProposalText.Label);
        var created = await client.Issue.Create(proposal.Owner, proposal.Name, issue);
        await store.SetIssueAsync(proposal.Id, created.Number, cancellationToken);
        return created.Number;
    }

    private string Body(Proposal proposal) => redactor.Redact(ProposalText.Issue(proposal));

    /// <summary>What the audit log binds an approval to: the SHA-256 of the change exactly as it will be built.</summary>
    public static string ChangeHash(ProposedChange change) => Hashing.Sha256(JsonSerializer.Serialize(change, ProposalStore.Json));

    private async Task<string> SettingsTextAsync(AtomTask task, bool fetched, CancellationToken cancellationToken)
    {
        if (!fetched)
        {
            await FetchAsync(task, cancellationToken);
        }

        var files = await git.ReadFilesAtAsync(Repository(task), task.DefaultBranch, ".github", ".yml", cancellationToken);
        return files.GetValueOrDefault(RepoSettings.Path, "");
    }

    private async Task FetchAsync(AtomTask task, CancellationToken cancellationToken) =>
        await git.FetchAsync(Repository(task), await credentials.GetTokenAsync(task.InstallationId, task.RepositoryId, GitHubAccess.Read, cancellationToken), cancellationToken);

    private static RepositoryRef Repository(AtomTask task) => new(task.Owner, task.Name, task.CloneUrl);

    /// <summary>The skills the task's stored plan named as missing; none for a task without a plan.</summary>
    private static IReadOnlyList<string> MissingSkills(AtomTask task) =>
        task.Plan is null ? [] : JsonSerializer.Deserialize<Tasks.Plan>(task.Plan, JsonSerializerOptions.Web)?.MissingSkills ?? [];

    private async Task<int> TestTimeoutsAsync(long taskId, CancellationToken cancellationToken)
    {
        var count = 0;
        foreach (var entry in await audit.EntriesForTaskAsync(taskId, cancellationToken))
        {
            if (entry.Kind == AuditKinds.Evaluation && entry.Payload is { } payload)
            {
                using var document = JsonDocument.Parse(payload);
                if (document.RootElement.TryGetProperty("tests", out var tests) && tests.ValueKind == JsonValueKind.Object
                    && tests.TryGetProperty("timedOut", out var timedOut) && timedOut.ValueKind == JsonValueKind.True)
                {
                    count++;
                }
            }
        }

        return count;
    }
}
