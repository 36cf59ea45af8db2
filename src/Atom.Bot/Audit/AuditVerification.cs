namespace Atom.Bot.Audit;

/// <summary>The outcome of checking a chain: how much was checked, the keys met, and the first break if any.</summary>
public sealed record AuditVerification(long Entries, long Receipts, AuditHead? Head, IReadOnlyList<AuditKey> Keys, AuditBreak? Break)
{
    public bool IsValid => Break is null;
}
