using Atom.Bot.GitHub;
using Atom.Bot.Tasks;
using Octokit;

namespace Atom.Bot.Supervisor;

/// <summary>
/// Drives a task through its states. Every step reads the store first, so running the same work item twice has the
/// effect of running it once.
/// </summary>
public sealed partial class TaskSupervisor(TaskStore tasks, GitHubClientFactory github, GitHubConversation conversation, ILogger<TaskSupervisor> logger)
{
    public async Task ProcessAsync(AdvanceTask work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var task = await tasks.GetAsync(work.TaskId, cancellationToken);
        if (task is null || task.State.IsFinal())
        {
            return;
        }

        if (task.AcknowledgedAt is null)
        {
            await AcknowledgeAsync(task, cancellationToken);
        }
    }

    private async Task AcknowledgeAsync(AtomTask task, CancellationToken cancellationToken)
    {
        var client = await github.CreateAsync(task.InstallationId, cancellationToken);
        await conversation.ReactToIssueAsync(client, task.Owner, task.Name, task.IssueNumber, ReactionType.Eyes, cancellationToken);
        var commentId = await conversation.CommentAsync(client, task.Owner, task.Name, task.IssueNumber, Messages.Acknowledgement(task), cancellationToken);
        await tasks.MarkAcknowledgedAsync(task.Id, commentId, cancellationToken);
        LogAcknowledged(logger, task.Id, task.Repository, task.IssueNumber);
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Task {TaskId} ({Repository}#{Issue}) acknowledged")]
    private static partial void LogAcknowledged(ILogger logger, long taskId, string repository, int issue);
}
