namespace Atom.Bot.Tasks;

/// <summary>The result of asking the store for a new task: created, or the issue already has an active one.</summary>
public sealed record TaskCreation(AtomTask Task, bool Created);
