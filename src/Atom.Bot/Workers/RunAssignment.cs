using Atom.Bot.Jobs;

namespace Atom.Bot.Workers;

/// <summary>Work item: run one assignment (ids only; everything else is read from the store).</summary>
public sealed record RunAssignment(long AssignmentId) : IWorkItem;
