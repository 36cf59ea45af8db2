using Atom.Bot.Git;
using Atom.Bot.Tasks;

namespace Atom.Bot.Workers;

/// <summary>Where a commit goes: the repository (and how Atom reaches it on GitHub) and the base branch whose rules apply.</summary>
public sealed record CommitTarget(RepositoryRef Repository, long? InstallationId, long RepositoryId, string DefaultBranch)
{
    public static CommitTarget Of(AtomTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return new CommitTarget(new RepositoryRef(task.Owner, task.Name, task.CloneUrl), task.InstallationId, task.RepositoryId, task.DefaultBranch);
    }
}
