namespace Atom.Bot.GitHub;

/// <summary>A GitHub account as an event names it: the numeric <see cref="Id"/> is who it is; the login is for display.</summary>
public sealed record GitHubPerson(long Id, string Login);
