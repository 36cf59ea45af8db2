namespace Atom.Bot.Audit;

/// <summary>What an export holds: every entry up to the signed head, of which <see cref="FullEntries"/> (the task's and the key entries) in full.</summary>
public sealed record AuditExportSummary(long TaskId, int Entries, int FullEntries, int Receipts, AuditHead? Head);
