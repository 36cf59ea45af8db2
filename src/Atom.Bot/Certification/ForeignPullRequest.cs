namespace Atom.Bot.Certification;

/// <summary>An open pull request from Atom's branch that someone else opened: never adopted, never merged.</summary>
public sealed record ForeignPullRequest(int Number, string Author);
