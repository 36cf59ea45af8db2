namespace Atom.Bot.Audit;

/// <summary>A run of entries (first and last sequence, count) and the chain's signed head at the moment it was read.</summary>
public sealed record AuditRange(long FirstSequence, long LastSequence, int EntryCount, long HeadSequence, string HeadHash, string KeyId);
