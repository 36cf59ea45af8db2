namespace Atom.Bot.Git;

/// <summary>
/// The result of a push: on success the branch and the SHA now at the remote; on failure the kind and the remote's own
/// words (<see cref="Reason"/>, never containing the token). A failed push is never retried by the git layer.
/// </summary>
public sealed record PushOutcome(string Branch, string Sha, PushFailure? Failure, string? Reason)
{
    public bool Succeeded => Failure is null;

    public static PushOutcome Pushed(string branch, string sha) => new(branch, sha, null, null);

    public static PushOutcome Rejected(string branch, string sha, PushFailure failure, string reason) => new(branch, sha, failure, reason);
}
