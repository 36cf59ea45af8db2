namespace Atom.Bot.Git;

/// <summary>
/// One assignment's working tree at <see cref="Path"/>. <see cref="HeadSha"/> is where the work started: the remote's
/// <see cref="Branch"/> when that branch already existed (a revision), otherwise <see cref="BaseSha"/>, the head of
/// <see cref="BaseBranch"/>. The worktree's HEAD is detached; <see cref="GitWorkspace.PushAsync"/> pushes it to <see cref="Branch"/>.
/// </summary>
public sealed record Checkout(string Path, RepositoryRef Repository, string BaseBranch, string BaseSha, string Branch, string HeadSha)
{
    /// <summary>True when the work continues a branch the remote already had (a revision), false for a new branch from base.</summary>
    public bool ContinuesExistingBranch { get; init; }
}
