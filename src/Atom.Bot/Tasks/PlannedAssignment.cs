namespace Atom.Bot.Tasks;

/// <summary>One assignment of a validated plan: its scope is already narrowed to the repository's.</summary>
public sealed record PlannedAssignment(string Title, string Instructions, Scope Scope);
