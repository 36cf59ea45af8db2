using Atom.Bot.Audit;
using Atom.Bot.Configuration;
using Atom.Bot.GitHub;
using Atom.Bot.Jobs;
using Atom.Bot.Telemetry;
using Octokit.Webhooks.Events.Issues;

namespace Atom.Bot.Tasks;

/// <summary>
/// Turns a labelled issue into a task, or refuses it with a reason; cancels the task when the label goes or the
/// issue closes. The rules come from the default branch's <c>.github/atom.yml</c>.
/// </summary>
public sealed partial class TaskIntake(
    TaskStore tasks,
    AssignmentStore assignments,
    GitHubClientFactory github,
    RepoSettingsReader settingsReader,
    RepositoryPermissions permissions,
    GitHubConversation conversation,
    AuditLog audit,
    TokenBudget budget,
    WorkScheduler queue,
    ILogger<TaskIntake> logger)
{
    public const string Bot = "atom";

    public async Task<IntakeOutcome> LabeledAsync(IssuesLabeledEvent e, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        using var activity = AtomTelemetry.Start("intake");
        activity?.SetTag(AtomTelemetry.Repository, e.Repository?.FullName);
        activity?.SetTag(AtomTelemetry.Issue, e.Issue.Number);
        var outcome = await AcceptAsync(e, cancellationToken);
        activity?.SetTag(AtomTelemetry.Outcome, outcome.Kind.ToString().ToLowerInvariant());
        return outcome;
    }

    private async Task<IntakeOutcome> AcceptAsync(IssuesLabeledEvent e, CancellationToken cancellationToken)
    {
        if (e.Repository is null || e.Label is null || e.Sender is null)
        {
            return IntakeOutcome.Ignored("no repository, label or sender");
        }

        if (e.Issue.PullRequest is not null)
        {
            return IntakeOutcome.Ignored("a pull request, not an issue");
        }

        var repo = e.Repository;
        var owner = repo.Owner.Login;
        var client = await github.CreateAsync(e.Installation?.Id, repo.Id, GitHubAccess.Conversation, cancellationToken);
        var settings = await settingsReader.ReadAsync(client, owner, repo.Name, repo.DefaultBranch ?? "main", cancellationToken);
        if (!string.Equals(e.Label.Name, settings.TriggerLabel, StringComparison.OrdinalIgnoreCase))
        {
            return IntakeOutcome.Ignored($"label '{e.Label.Name}' is not the trigger label");
        }

        var number = (int)e.Issue.Number;
        if (settings.Settings is null)
        {
            await conversation.CommentAsync(client, owner, repo.Name, number, TaskMessages.InvalidSettings(settings.Error!), cancellationToken);
            await audit.RecordAsync(AuditKinds.SettingsInvalid, null, e.Sender.Login, new { repository = repo.FullName, issue = number, error = settings.Error }, cancellationToken);
            return IntakeOutcome.Refused("invalid settings");
        }

        if (!await permissions.CanWriteAsync(client, owner, repo.Name, repo.Id, new GitHubPerson(e.Sender.Id, e.Sender.Login), settings.Settings.Approvers, cancellationToken))
        {
            await conversation.CommentAsync(client, owner, repo.Name, number, TaskMessages.NotPermitted(e.Sender.Login, settings.Settings.TriggerLabel), cancellationToken);
            await audit.RecordAsync(AuditKinds.TaskRefused, null, e.Sender.Login, new { repository = repo.FullName, issue = number, reason = "labeller lacks write permission" }, cancellationToken);
            return IntakeOutcome.Refused("labeller lacks write permission");
        }

        // A label on an issue whose task is still active changes nothing (below), so only a new task is held to the month's budget.
        if (await tasks.FindActiveAsync(repo.Id, number, cancellationToken) is null
            && await budget.CheckRepositoryAsync(repo.Id, settings.Settings.Budget, cancellationToken) is { } overBudget)
        {
            await conversation.CommentAsync(client, owner, repo.Name, number, TaskMessages.MonthlyBudgetRefused(e.Sender.Login, overBudget), cancellationToken);
            await audit.RecordAsync(AuditKinds.BudgetRefused, null, e.Sender.Login, new
            {
                repository = repo.FullName,
                issue = number,
                used = overBudget.Used,
                budget = overBudget.Budget,
                month = overBudget.Month,
                resetsAt = overBudget.ResetsAt,
            }, cancellationToken);
            LogBudgetRefused(logger, repo.FullName, number, overBudget.Used, overBudget.Budget);
            return IntakeOutcome.Refused("monthly token budget reached");
        }

        var creation = await tasks.CreateAsync(
            new NewTask(repo.FullName, repo.Id, e.Installation?.Id, repo.CloneUrl ?? $"https://github.com/{repo.FullName}.git",
                repo.DefaultBranch ?? "main", number, e.Issue.Title, e.Issue.Body ?? "", e.Sender.Login, e.Sender.Id),
            cancellationToken);
        if (!creation.Created)
        {
            return IntakeOutcome.Ignored($"task {creation.Task.Id} is already active for this issue");
        }

        await audit.RecordAsync(AuditKinds.TaskAccepted, creation.Task.Id, e.Sender.Login, new
        {
            repository = repo.FullName,
            issue = number,
            title = e.Issue.Title,
            body_sha256 = Hashing.Sha256(creation.Task.IssueBody),
            trigger_label = settings.Settings.TriggerLabel,
        }, cancellationToken);
        System.Diagnostics.Activity.Current?.SetTag(AtomTelemetry.TaskId, creation.Task.Id);
        queue.Enqueue(new AdvanceTask(creation.Task.Id));
        LogAccepted(logger, creation.Task.Id, repo.FullName, number);
        return IntakeOutcome.Accepted(creation.Task);
    }

    public async Task<IntakeOutcome> UnlabeledAsync(IssuesUnlabeledEvent e, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Repository is null || e.Label is null)
        {
            return IntakeOutcome.Ignored("no repository or label");
        }

        var active = await tasks.FindActiveAsync(e.Repository.Id, (int)e.Issue.Number, cancellationToken);
        if (active is null)
        {
            return IntakeOutcome.Ignored("no active task");
        }

        var client = await github.CreateAsync(e.Installation?.Id, e.Repository.Id, GitHubAccess.Read, cancellationToken);
        var settings = await settingsReader.ReadAsync(client, e.Repository.Owner.Login, e.Repository.Name, active.DefaultBranch, cancellationToken);
        if (!string.Equals(e.Label.Name, settings.TriggerLabel, StringComparison.OrdinalIgnoreCase))
        {
            return IntakeOutcome.Ignored($"label '{e.Label.Name}' is not the trigger label");
        }

        return await CancelAsync(active, e.Sender?.Login ?? Bot, $"the `{settings.TriggerLabel}` label was removed", cancellationToken);
    }

    public async Task<IntakeOutcome> ClosedAsync(IssuesClosedEvent e, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Repository is null)
        {
            return IntakeOutcome.Ignored("no repository");
        }

        var active = await tasks.FindActiveAsync(e.Repository.Id, (int)e.Issue.Number, cancellationToken);
        return active is null
            ? IntakeOutcome.Ignored("no active task")
            : await CancelAsync(active, e.Sender?.Login ?? Bot, "the issue was closed", cancellationToken);
    }

    /// <summary>Cancels the task and its unfinished assignments, audited, with a comment on the issue.</summary>
    public async Task<IntakeOutcome> CancelAsync(AtomTask task, string actor, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!await tasks.TransitionAsync(task.Id, TaskTransitions.Cancel, actor, reason, cancellationToken))
        {
            return IntakeOutcome.Ignored($"task {task.Id} already finished");
        }

        // A running worker finds its claim gone when it reports and its result is void.
        var stopped = await assignments.CancelTaskAsync(task.Id, cancellationToken);
        await audit.RecordAsync(AuditKinds.TaskCancelled, task.Id, actor, new { reason, assignments = stopped }, cancellationToken);
        var client = await github.CreateAsync(task.InstallationId, task.RepositoryId, GitHubAccess.Conversation, cancellationToken);
        await conversation.CommentAsync(client, task.Owner, task.Name, task.IssueNumber, TaskMessages.Cancelled(task, reason), cancellationToken);
        return IntakeOutcome.Cancelled(task);
    }

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "{Repository}#{Issue} refused: the repository used {Used} tokens this month of its budget of {Budget}")]
    private static partial void LogBudgetRefused(ILogger logger, string repository, int issue, long used, long budget);

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Task {TaskId} accepted for {Repository}#{Issue}")]
    private static partial void LogAccepted(ILogger logger, long taskId, string repository, int issue);
}
