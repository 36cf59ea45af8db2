using Atom.Bot.Jobs;

namespace Atom.Bot.Tasks;

/// <summary>
/// Work item: a task of the repository came to rest (finished, or waiting for a human). The supervisor says so without
/// knowing who listens; gap detection (Proposals) is the one that does.
/// </summary>
public sealed record TaskSettled(long RepositoryId) : IWorkItem;
