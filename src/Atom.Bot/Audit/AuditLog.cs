using System.Data.Common;
using Atom.Bot.Configuration;
using Atom.Bot.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atom.Bot.Audit;

/// <summary>
/// The signed, hash-chained semantic log (docs/audit.md). <see cref="RecordAsync"/> is how every decision is written:
/// the sequence, previous hash and signature are assigned inside one SQLite write transaction, so concurrent writers
/// (threads or processes) always extend one chain without gaps. Entries are never updated or deleted.
/// </summary>
public sealed class AuditLog : IDisposable
{
    public const string Bot = "atom";
    internal const string EntryColumns = "sequence, recorded_at, task_id, kind, actor, payload, previous_hash, hash, signature, key_id, instance";

    private readonly AtomDatabase _database;
    private readonly AuditKeys _keys;
    private readonly Redactor _redactor;
    private readonly TimeProvider _clock;
    private readonly string _instance;
    private readonly ILogger _logger;

    // In-process writers queue here instead of in SQLite's sleeping busy handler. BEGIN IMMEDIATE is what keeps
    // several processes (the service and `atom audit rotate-key`) on one chain.
    private readonly SemaphoreSlim _writer = new(1, 1);

    /// <param name="instance">
    /// Who writes, recorded in every entry: the service's <c>InstanceRegistry.Id</c>, or
    /// <c>InstanceRegistry.CommandLineId</c> for a command-line process.
    /// </param>
    public AuditLog(AtomDatabase database, AuditKeys keys, Redactor redactor, TimeProvider clock, string instance, ILogger<AuditLog>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentException.ThrowIfNullOrEmpty(instance);
        _database = database;
        _keys = keys;
        _redactor = redactor;
        _clock = clock;
        _instance = instance;
        _logger = logger ?? NullLogger<AuditLog>.Instance;
    }

    /// <summary>
    /// Appends a signed entry. <paramref name="payload"/> is any JSON-serializable object; it is stored as canonical
    /// JSON with secrets masked and texts over 1 KiB replaced by their SHA-256 and length.
    /// </summary>
    public Task<AuditEntry> RecordAsync(string kind, long? taskId, string actor, object payload, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentException.ThrowIfNullOrEmpty(actor);
        ArgumentNullException.ThrowIfNull(payload);
        if (AuditKinds.IsReserved(kind))
        {
            throw new ArgumentException($"'{kind}' entries are written by the audit log itself.", nameof(kind));
        }

        return AppendAsync(kind, taskId, actor, payload, within: null, cancellationToken);
    }

    /// <summary>
    /// Starts the chain (first key, first entry) if it has not started, and loads the key the chain is signed with,
    /// so that a missing or foreign key file stops start-up rather than the first decision; returns the head.
    /// </summary>
    public async Task<AuditHead> StartAsync(CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await _database.OpenAsync(cancellationToken);
            await using var transaction = await AtomDatabase.BeginWriteAsync(connection, cancellationToken);
            var head = await ReadHeadAsync(connection, transaction, cancellationToken) ?? await StartChainAsync(connection, transaction, cancellationToken);
            _keys.Current(head.KeyId);
            await transaction.CommitAsync(cancellationToken);
            return head;
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>
    /// Creates a new signing key and announces it with an entry signed by the current key; later entries are signed by
    /// the new key and the old key file is destroyed.
    /// </summary>
    public async Task<AuditEntry> RotateKeyAsync(string actor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(actor);
        await _writer.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await _database.OpenAsync(cancellationToken);
            await using var transaction = await AtomDatabase.BeginWriteAsync(connection, cancellationToken);
            var head = await ReadHeadAsync(connection, transaction, cancellationToken) ?? await StartChainAsync(connection, transaction, cancellationToken);
            var current = _keys.Current(head.KeyId);
            var next = _keys.CreateNext();
            var payload = CanonicalJson.Write(
                new { algorithm = Signatures.Ed25519, key_id = next.KeyId, public_key = next.PublicKeyBase64, previous_key_id = current.KeyId }, _redactor.Secrets);
            var entry = Sign(head, _clock.GetUtcNow(), null, AuditKinds.KeyRotated, _redactor.RedactIdentifier(actor), payload, current, _instance);
            await InsertAsync(connection, transaction, entry, next, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            _keys.Promote(next);
            Log.KeyRotated(_logger, current.KeyId, next.KeyId, entry.Sequence);
            return entry;
        }
        finally
        {
            _writer.Release();
        }
    }

    public async Task<AuditHead?> HeadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await ReadHeadAsync(connection, null, cancellationToken);
    }

    public async Task<IReadOnlyList<AuditEntry>> EntriesForTaskAsync(long taskId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {EntryColumns} FROM audit_entries WHERE task_id = $task ORDER BY sequence";
        command.Bind("$task", taskId);
        return await ReadEntriesAsync(command, cancellationToken).ToListAsync(cancellationToken);
    }

    /// <summary>The certification package's audit reference for a task, or null when the task has no entries.</summary>
    public async Task<AuditReference?> ReferenceForTaskAsync(long taskId, CancellationToken cancellationToken) =>
        await RangeAsync("task_id = $id", taskId, cancellationToken) is { } range
            ? new AuditReference(taskId, range.FirstSequence, range.LastSequence, range.EntryCount, range.HeadSequence, range.HeadHash, range.KeyId)
            : null;

    /// <summary>
    /// A proposal's entries (drafted, approved, the skill worker's refusals, ...: every entry outside a task whose payload
    /// names it as <c>proposal</c>) and the chain's head, or null when there are none.
    /// </summary>
    public Task<AuditRange?> RangeForProposalAsync(long proposalId, CancellationToken cancellationToken) =>
        RangeAsync($"task_id IS NULL AND {_database.JsonInteger("payload", "proposal")} = $id", proposalId, cancellationToken);

    /// <summary>The newest entry of <paramref name="kind"/> about a proposal (outside any task), or null.</summary>
    public async Task<AuditEntry?> LastForProposalAsync(long proposalId, string kind, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {EntryColumns} FROM audit_entries WHERE task_id IS NULL AND kind = $kind AND {_database.JsonInteger("payload", "proposal")} = $id ORDER BY sequence DESC LIMIT 1";
        command.Bind("$kind", kind);
        command.Bind("$id", proposalId);
        return await ReadEntriesAsync(command, cancellationToken).FirstOrDefaultAsync(cancellationToken);
    }

    private async Task<AuditRange?> RangeAsync(string where, long id, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var transaction = await AtomDatabase.BeginSnapshotAsync(connection, cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT MIN(sequence), MAX(sequence), COUNT(*) FROM audit_entries WHERE {where}";
        command.Bind("$id", id);
        long first, last;
        int count;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            count = reader.GetInt32(2);
            if (count == 0)
            {
                return null;
            }

            first = reader.GetInt64(0);
            last = reader.GetInt64(1);
        }

        var head = (await ReadHeadAsync(connection, transaction, cancellationToken))!;
        return new AuditRange(first, last, count, head.Sequence, head.Hash, head.KeyId);
    }

    /// <summary>Every key the chain announced, oldest first: audit keys (the last one unretired is in force) and receipt signers.</summary>
    public async Task<IReadOnlyList<AuditKey>> KeysAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {EntryColumns} FROM audit_entries WHERE kind IN ($started, $rotated, $receipt) ORDER BY sequence";
        command.Bind("$started", AuditKinds.ChainStarted);
        command.Bind("$rotated", AuditKinds.KeyRotated);
        command.Bind("$receipt", AuditKinds.ReceiptSignerAnnounced);
        var keys = new List<AuditKey>();
        await foreach (var entry in ReadEntriesAsync(command, cancellationToken))
        {
            if (AuditKey.FromAnnouncement(entry) is not { } key)
            {
                continue;
            }

            if (key.Role == AuditKey.AuditRole && keys.FindLastIndex(k => k.Role == AuditKey.AuditRole) is var previous and >= 0)
            {
                keys[previous] = keys[previous] with { RetiredAt = entry.Sequence };
            }

            keys.Add(key);
        }

        return keys;
    }

    /// <summary>Appends an entry; <paramref name="within"/> runs first in the same transaction (a receipt's insert).</summary>
    internal async Task<AuditEntry> AppendAsync(
        string kind,
        long? taskId,
        string actor,
        object payload,
        Func<DbConnection, DbTransaction, CancellationToken, Task>? within,
        CancellationToken cancellationToken)
    {
        var json = CanonicalJson.Write(payload, _redactor.Secrets);
        actor = _redactor.RedactIdentifier(actor);
        await _writer.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await _database.OpenAsync(cancellationToken);
            await using var transaction = await AtomDatabase.BeginWriteAsync(connection, cancellationToken);
            var head = await ReadHeadAsync(connection, transaction, cancellationToken) ?? await StartChainAsync(connection, transaction, cancellationToken);
            var key = _keys.Current(head.KeyId);
            if (within is not null)
            {
                await within(connection, transaction, cancellationToken);
            }

            var entry = Sign(head, _clock.GetUtcNow(), taskId, kind, actor, json, key, _instance);
            await InsertAsync(connection, transaction, entry, key, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return entry;
        }
        finally
        {
            _writer.Release();
        }
    }

    internal static async IAsyncEnumerable<AuditEntry> ReadEntriesAsync(
        DbCommand command, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var payload = reader.GetString(5);
            yield return new AuditEntry(
                reader.GetInt64(0),
                ChainEncoding.ParseTime(reader.GetString(1)),
                reader.IsDBNull(2) ? null : reader.GetInt64(2),
                reader.GetString(3),
                reader.GetString(4),
                payload,
                Hashing.Sha256(payload),
                reader.GetString(6),
                reader.GetString(7),
                reader.GetString(8),
                reader.GetString(9),
                reader.IsDBNull(10) ? null : reader.GetString(10));
        }
    }

    internal static async Task<AuditHead?> ReadHeadAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT sequence, hash, key_id, signature FROM audit_head WHERE id = 1";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new AuditHead(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3))
            : null;
    }

    /// <summary>The first entry: the first key announces itself, signed by itself. Verifiers pin it out of band.</summary>
    private async Task<AuditHead> StartChainAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var key = _keys.EnsureCreated();
        var payload = CanonicalJson.Write(new { algorithm = Signatures.Ed25519, key_id = key.KeyId, public_key = key.PublicKeyBase64 }, _redactor.Secrets);
        var entry = Sign(null, _clock.GetUtcNow(), null, AuditKinds.ChainStarted, Bot, payload, key, _instance);
        var head = await InsertAsync(connection, transaction, entry, key, cancellationToken);
        Log.ChainStarted(_logger, key.KeyId);
        return head;
    }

    private static AuditEntry Sign(AuditHead? previous, DateTimeOffset time, long? taskId, string kind, string actor, string payload, SigningKey key, string instance)
    {
        var sequence = (previous?.Sequence ?? 0) + 1;
        var previousHash = previous?.Hash ?? ChainEncoding.GenesisHash;
        var payloadSha256 = Hashing.Sha256(payload);
        var digest = ChainEncoding.EntryDigest(sequence, time, taskId, kind, actor, payloadSha256, previousHash, key.KeyId, instance);
        return new AuditEntry(sequence, time, taskId, kind, actor, payload, payloadSha256, previousHash,
            Convert.ToHexStringLower(digest), Convert.ToBase64String(key.Sign(digest)), key.KeyId, instance);
    }

    /// <summary>Inserts the entry and moves the head to it, signed by <paramref name="headKey"/> (the key in force after it).</summary>
    private static async Task<AuditHead> InsertAsync(DbConnection connection, DbTransaction transaction, AuditEntry entry, SigningKey headKey, CancellationToken cancellationToken)
    {
        var head = new AuditHead(entry.Sequence, entry.Hash, headKey.KeyId,
            Convert.ToBase64String(headKey.Sign(ChainEncoding.HeadDigest(entry.Sequence, entry.Hash, headKey.KeyId))));
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            INSERT INTO audit_entries ({EntryColumns})
            VALUES ($sequence, $time, $task, $kind, $actor, $payload, $previous, $hash, $signature, $key, $instance);
            INSERT INTO audit_head (id, sequence, hash, key_id, signature) VALUES (1, $sequence, $hash, $headKey, $headSignature)
            ON CONFLICT (id) DO UPDATE SET sequence = excluded.sequence, hash = excluded.hash, key_id = excluded.key_id, signature = excluded.signature;
            """;
        command.Bind("$sequence", entry.Sequence);
        command.Bind("$time", ChainEncoding.Time(entry.Time));
        command.Bind("$task", (object?)entry.TaskId ?? DBNull.Value);
        command.Bind("$kind", entry.Kind);
        command.Bind("$actor", entry.Actor);
        command.Bind("$payload", entry.Payload);
        command.Bind("$previous", entry.PreviousHash);
        command.Bind("$hash", entry.Hash);
        command.Bind("$signature", entry.Signature);
        command.Bind("$key", entry.KeyId);
        command.Bind("$instance", (object?)entry.Instance ?? DBNull.Value);
        command.Bind("$headKey", head.KeyId);
        command.Bind("$headSignature", head.Signature);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return head;
    }

    public void Dispose() => _writer.Dispose();
}
