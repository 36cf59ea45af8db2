using System.Data.Common;
using Atom.Bot.Configuration;
using Atom.Bot.Storage;

namespace Atom.Bot.Audit;

/// <summary>
/// Execution receipts: what actually ran, signed by the <see cref="IReceiptSigner"/> (not the audit key) and linked
/// by hash to the semantic entry that ordered it. Each receipt is stored together with a <c>receipt.recorded</c>
/// entry naming its hash, in one transaction, so a receipt can be neither dropped nor slipped in unnoticed.
/// </summary>
public sealed class ExecutionReceipts(AtomDatabase database, AuditLog audit, IReceiptSigner signer, Redactor redactor, TimeProvider clock)
{
    internal const string Columns = "id, recorded_at, kind, task_id, facts, ordered_by, hash, signature, key_id, algorithm, signer";
    private volatile bool _announced;

    public IReceiptSigner Signer => signer;

    /// <summary>
    /// Signs and stores a receipt. <paramref name="orderedByHash"/> must be the <see cref="AuditEntry.Hash"/> of an
    /// entry already in the chain (the dispatch, evaluation or approval that ordered the work).
    /// </summary>
    public async Task<ExecutionReceipt> RecordAsync(string kind, long? taskId, string orderedByHash, ReceiptFacts facts, CancellationToken cancellationToken)
    {
        if (!ReceiptKinds.IsKnown(kind))
        {
            throw new ArgumentException($"Unknown receipt kind '{kind}'.", nameof(kind));
        }

        ArgumentException.ThrowIfNullOrEmpty(orderedByHash);
        ArgumentNullException.ThrowIfNull(facts);
        await AnnounceSignerAsync(cancellationToken);
        var factsJson = CanonicalJson.Write(facts.ToPayload(), redactor.Secrets);
        var time = clock.GetUtcNow();
        var digest = ChainEncoding.ReceiptDigest(time, kind, taskId, Hashing.Sha256(factsJson), orderedByHash, signer.KeyId, signer.Algorithm);
        var signature = await signer.SignAsync(digest, cancellationToken);
        var receipt = new ExecutionReceipt(0, time, kind, taskId, factsJson, orderedByHash, Convert.ToHexStringLower(digest),
            Convert.ToBase64String(signature), signer.KeyId, signer.Algorithm, signer.Signer);
        long id = 0;
        await audit.AppendAsync(
            AuditKinds.ReceiptRecorded,
            taskId,
            AuditLog.Bot,
            new { receipt_hash = receipt.Hash, receipt_kind = kind, ordered_by = orderedByHash },
            async (connection, transaction, token) => id = await InsertAsync(connection, transaction, receipt, token),
            cancellationToken);
        return receipt with { Id = id };
    }

    /// <summary>Announces the signer's public key in the chain (once per key), signed by the audit key.</summary>
    public async Task AnnounceSignerAsync(CancellationToken cancellationToken)
    {
        if (_announced)
        {
            return;
        }

        var keys = await audit.KeysAsync(cancellationToken);
        if (!keys.Any(k => k.Role == AuditKey.ReceiptRole && k.KeyId == signer.KeyId))
        {
            await audit.AppendAsync(
                AuditKinds.ReceiptSignerAnnounced,
                null,
                AuditLog.Bot,
                new { signer = signer.Signer, algorithm = signer.Algorithm, key_id = signer.KeyId, public_key = Convert.ToBase64String(signer.PublicKey.Span) },
                within: null,
                cancellationToken);
        }

        _announced = true;
    }

    public async Task<IReadOnlyList<ExecutionReceipt>> ForTaskAsync(long taskId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM execution_receipts WHERE task_id = $task ORDER BY id";
        command.Bind("$task", taskId);
        return await ReadAsync(command, cancellationToken).ToListAsync(cancellationToken);
    }

    internal static async IAsyncEnumerable<ExecutionReceipt> ReadAsync(
        DbCommand command, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new ExecutionReceipt(
                reader.GetInt64(0),
                ChainEncoding.ParseTime(reader.GetString(1)),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetInt64(3),
                reader.GetString(4),
                reader.GetString(5),
                reader.GetString(6),
                reader.GetString(7),
                reader.GetString(8),
                reader.GetString(9),
                reader.GetString(10));
        }
    }

    private static async Task<long> InsertAsync(DbConnection connection, DbTransaction transaction, ExecutionReceipt receipt, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO execution_receipts (recorded_at, kind, task_id, facts, ordered_by, hash, signature, key_id, algorithm, signer)
            SELECT $time, $kind, $task, $facts, $orderedBy, $hash, $signature, $key, $algorithm, $signer
            WHERE EXISTS (SELECT 1 FROM audit_entries WHERE hash = $orderedBy)
            RETURNING id
            """;
        command.Bind("$time", ChainEncoding.Time(receipt.Time));
        command.Bind("$kind", receipt.Kind);
        command.Bind("$task", (object?)receipt.TaskId ?? DBNull.Value);
        command.Bind("$facts", receipt.Facts);
        command.Bind("$orderedBy", receipt.OrderedBy);
        command.Bind("$hash", receipt.Hash);
        command.Bind("$signature", receipt.Signature);
        command.Bind("$key", receipt.KeyId);
        command.Bind("$algorithm", receipt.Algorithm);
        command.Bind("$signer", receipt.Signer);
        return await command.ExecuteScalarAsync(cancellationToken) is long id
            ? id
            : throw new InvalidOperationException($"No audit entry has hash {receipt.OrderedBy}: a receipt must link to the entry that ordered it.");
    }
}
