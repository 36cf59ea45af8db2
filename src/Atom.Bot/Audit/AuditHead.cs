namespace Atom.Bot.Audit;

/// <summary>The chain's newest entry, signed by the key in force after it: what makes truncation detectable.</summary>
public sealed record AuditHead(long Sequence, string Hash, string KeyId, string Signature);
