namespace Atom.Bot.Jobs;

/// <summary>Which queue serves a kind of work item (one per kind, registered by the area that processes it).</summary>
public sealed record WorkItemRegistration(Type WorkItem, string Queue);
