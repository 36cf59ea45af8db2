using Atom.Bot.Audit;
using Atom.Bot.Git;

namespace Atom.Bot.Workers;

/// <summary>
/// An assignment's commit and where it went: <see cref="Sha"/> is the commit that is (or was to be) on the branch —
/// for a commit made through the Git Data API, GitHub's commit, not the local one. <see cref="Failure"/> says why the
/// branch did not move; <see cref="Command"/> and <see cref="Signature"/> are for the receipt.
/// </summary>
public sealed record PublishedCommit(CommitOutcome Local, string Sha, string? Failure, string Command, CommitSignature Signature)
{
    public bool Pushed => Failure is null;
}
