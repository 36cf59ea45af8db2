namespace Atom.Bot.Tasks;

/// <summary>What intake knows about an issue when it accepts it.</summary>
public sealed record NewTask(
    string Repository,
    long RepositoryId,
    long? InstallationId,
    string CloneUrl,
    string DefaultBranch,
    int IssueNumber,
    string IssueTitle,
    string IssueBody,
    string RequestedBy,
    long? RequestedById = null);
