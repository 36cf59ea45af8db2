using Atom.Bot.Workers;

namespace Atom.Bot.Tasks;

/// <summary>What the supervisor dispatches: one assignment of a plan, its scope already narrowed to the repository's.</summary>
public sealed record NewAssignment(int Ordinal, string Title, string Instructions, string? Feedback, Scope Scope, string Branch);
