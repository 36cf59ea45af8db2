namespace Atom.Bot.Certification;

/// <summary>The pull request that carries a package; <paramref name="Created"/> is true when this publication opened it.</summary>
public sealed record PublishedPackage(int PullRequestNumber, string Url, bool Created);
