namespace Atom.Bot.Audit;

/// <summary>
/// The outcome of checking a chain: how much was checked, the keys met, the first break if any, and which instances
/// wrote the entries verified (in order of their first entry).
/// </summary>
public sealed record AuditVerification(long Entries, long Receipts, AuditHead? Head, IReadOnlyList<AuditKey> Keys, AuditBreak? Break, IReadOnlyList<AuditInstance> Instances)
{
    public bool IsValid => Break is null;
}
