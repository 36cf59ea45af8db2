namespace Atom.Bot.Audit;

/// <summary>
/// What a certification package cites: the task's entries (first and last sequence, count), the chain's signed head
/// at that moment, the key in force, and the commands that verify it offline.
/// </summary>
public sealed record AuditReference(
    long TaskId,
    long FirstSequence,
    long LastSequence,
    int EntryCount,
    long HeadSequence,
    string HeadHash,
    string KeyId)
{
    public string ExportCommand => $"atom audit export --task {TaskId} --out audit-task-{TaskId}.jsonl";

    public string VerifyCommand => $"atom audit verify --from-export audit-task-{TaskId}.jsonl";
}
