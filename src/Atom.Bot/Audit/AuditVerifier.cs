using Atom.Bot.Storage;

namespace Atom.Bot.Audit;

/// <summary>
/// <c>atom audit verify</c>: checks every hash, link, signature, the signed head and every receipt, from the
/// database or from an export, trusting nothing but the chain's first key (or the one pinned by the caller).
/// </summary>
public static class AuditVerifier
{
    /// <param name="expectedFirstKey">Base64 Ed25519 public key the chain must start with, e.g. from <c>GET /audit/public-key</c>; null trusts the first entry.</param>
    public static async Task<AuditVerification> VerifyDatabaseAsync(AtomDatabase database, string? expectedFirstKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        await using var connection = await database.OpenAsync(cancellationToken);

        // One read transaction: a consistent snapshot while the service keeps appending.
        await using var snapshot = await AtomDatabase.BeginSnapshotAsync(connection, cancellationToken);
        List<ExecutionReceipt> receipts;
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = snapshot;
            command.CommandText = $"SELECT {ExecutionReceipts.Columns} FROM execution_receipts ORDER BY id";
            receipts = await ExecutionReceipts.ReadAsync(command, cancellationToken).ToListAsync(cancellationToken);
        }

        var head = await AuditLog.ReadHeadAsync(connection, snapshot, cancellationToken);
        var verifier = new ChainVerifier(receipts, expectedFirstKey);
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = snapshot;
            command.CommandText = $"SELECT {AuditLog.EntryColumns} FROM audit_entries ORDER BY sequence";
            await foreach (var entry in AuditLog.ReadEntriesAsync(command, cancellationToken))
            {
                if (verifier.Add(entry) is not null)
                {
                    return verifier.Result(head);
                }
            }
        }

        verifier.Finish(head);
        return verifier.Result(head);
    }

    /// <summary>Verifies an export file with no database: the entries in file order, its signed head, its receipts and the keys it lists.</summary>
    public static async Task<AuditVerification> VerifyExportAsync(TextReader export, string? expectedFirstKey, CancellationToken cancellationToken)
    {
        var contents = await AuditExport.ReadAsync(export, cancellationToken);
        if (contents.Problem is not null)
        {
            return new AuditVerification(0, 0, contents.Head, [], contents.Problem, []);
        }

        var verifier = new ChainVerifier(contents.Receipts, expectedFirstKey);
        foreach (var entry in contents.Entries)
        {
            if (verifier.Add(entry) is not null)
            {
                return verifier.Result(contents.Head);
            }
        }

        if (contents.Head is null)
        {
            return verifier.Result(null) with { Break = new AuditBreak("signed head", null, "the export has no signed head, so truncation cannot be ruled out") };
        }

        if (verifier.Finish(contents.Head) is not null)
        {
            return verifier.Result(contents.Head);
        }

        foreach (var (line, key) in contents.Keys)
        {
            if (!verifier.Keys.Any(k => k.Role == key.Role && k.KeyId == key.KeyId && k.PublicKey == key.PublicKey))
            {
                return verifier.Result(contents.Head) with
                {
                    Break = new AuditBreak($"export line {line}", null, $"lists {key.Role} key {key.KeyId}, which the chain does not announce"),
                };
            }
        }

        return verifier.Result(contents.Head);
    }
}
