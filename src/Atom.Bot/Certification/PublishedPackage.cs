namespace Atom.Bot.Certification;

/// <summary>
/// The pull request that carries a package; <paramref name="Created"/> is true when this publication opened it, and
/// <paramref name="PullRequestHead"/> is the head GitHub reported for it then (someone may have pushed since the evaluation pinned its commit).
/// </summary>
public sealed record PublishedPackage(int PullRequestNumber, string Url, bool Created, string? PullRequestHead);
