namespace Atom.Bot.Jobs;

/// <summary>
/// A unit of background work: a small record of ids only, so that a job can always be re-run from what the store holds.
/// Each kind is registered once with the processor that handles it (<see cref="JobsServiceCollectionExtensions.AddWorkItem{TWork, TProcessor}"/>).
/// </summary>
public interface IWorkItem;
