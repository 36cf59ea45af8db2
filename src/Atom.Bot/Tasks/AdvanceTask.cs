using Atom.Bot.Jobs;

namespace Atom.Bot.Tasks;

/// <summary>Work item: take a task one step further from whatever state the store says it is in.</summary>
public sealed record AdvanceTask(long TaskId) : IWorkItem;
