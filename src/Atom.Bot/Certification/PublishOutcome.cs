namespace Atom.Bot.Certification;

/// <summary>
/// How a publication ended: the pull request that carries the package, or GitHub's refusal to open one (a 422 other
/// than "already exists", e.g. a head branch that no longer exists), which no retry can change.
/// </summary>
public sealed record PublishOutcome(PublishedPackage? Package, string? Refusal)
{
    public static PublishOutcome Published(PublishedPackage package) => new(package, null);

    public static PublishOutcome Refused(string reason) => new(null, reason);
}
