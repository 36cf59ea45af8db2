namespace Atom.Bot.GitHub;

/// <summary>A status check the base branch requires (its context or check run name), and which rule requires it.</summary>
public sealed record RequiredCheck(string Context, string Rule);
