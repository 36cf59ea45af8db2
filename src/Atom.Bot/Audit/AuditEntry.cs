namespace Atom.Bot.Audit;

/// <summary>Placeholder for one semantic log entry (issue 4 replaces this file).</summary>
public sealed record AuditEntry(long Sequence, string Kind, long? TaskId, string Actor, string Hash);
