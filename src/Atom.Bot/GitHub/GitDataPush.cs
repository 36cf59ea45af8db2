namespace Atom.Bot.GitHub;

/// <summary>
/// What a commit through the Git Data API gave: the commit GitHub made (<see cref="Sha"/>, now the branch's head when
/// <see cref="Succeeded"/>), its tree, and GitHub's <c>verification</c> of it (<see cref="Verified"/>,
/// <see cref="VerificationReason"/>: <c>valid</c>, <c>unsigned</c>, ...). <see cref="Failure"/> says why the branch was not
/// moved; a commit already made is then left unreferenced.
/// </summary>
public sealed record GitDataPush(string? Sha, string? TreeSha, bool Verified, string? VerificationReason, string? Failure)
{
    public bool Succeeded => Failure is null;
}
