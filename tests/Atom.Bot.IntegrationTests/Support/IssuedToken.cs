namespace Atom.Bot.IntegrationTests.Support;

/// <summary>An installation token the stub issued: for these repositories, with these permissions.</summary>
public sealed record IssuedToken(int Sequence, string Token, IReadOnlyList<long> RepositoryIds, IReadOnlyDictionary<string, string> Permissions);
