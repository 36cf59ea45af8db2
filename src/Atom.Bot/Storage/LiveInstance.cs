namespace Atom.Bot.Storage;

/// <summary>One service instance as <c>/status</c> lists it.</summary>
public sealed record LiveInstance(string Id, string Host, string StartedAt, string SeenAt, bool IsThis);
