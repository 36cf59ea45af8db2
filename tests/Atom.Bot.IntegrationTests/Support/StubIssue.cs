namespace Atom.Bot.IntegrationTests.Support;

/// <summary>An issue Atom opened through the <see cref="GitHubStub"/> (a proposal, the dashboard), as it stands now.</summary>
public sealed record StubIssue(int Number, string Owner, string Repo, string Title, string Body, string State, IReadOnlyList<string> Labels, int Edits);
