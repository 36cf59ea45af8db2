namespace Atom.Bot.Proposals;

/// <summary>Work item: run gap detection over a repository's recent tasks (enqueued when a task reaches a resting state).</summary>
public sealed record DetectGaps(long RepositoryId);
