namespace Atom.Bot.Audit;

/// <summary>Placeholder: the signed, hash-chained semantic log (issue 4 replaces this file).</summary>
public sealed class AuditLog
{
    public Task<AuditEntry> RecordAsync(string kind, long? taskId, string actor, object payload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(payload);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(new AuditEntry(0, kind, taskId, actor, ""));
    }
}
