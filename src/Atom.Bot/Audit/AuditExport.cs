using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Atom.Bot.Storage;

namespace Atom.Bot.Audit;

/// <summary>
/// <c>atom audit export --task N</c>: a self-contained JSON Lines file that <c>atom audit verify --from-export</c>
/// checks without the database. A task's entries are scattered through the chain, so the export carries the whole
/// chain up to the signed head: the task's entries and the key entries in full, every other entry elided to its
/// fields and payload SHA-256 (enough to check its hash, signature and links, nothing of other tasks' content),
/// plus the task's receipts and the public keys. Layout in docs/audit.md.
/// </summary>
public static class AuditExport
{
    public const string Format = "atom-audit-export/1";

    private static readonly JsonSerializerOptions Json = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Writes the export of <paramref name="taskId"/>; returns how many entries (all, in full) and receipts it holds.</summary>
    public static async Task<AuditExportSummary> WriteAsync(AtomDatabase database, long taskId, TextWriter output, TimeProvider clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(clock);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var snapshot = await AtomDatabase.BeginSnapshotAsync(connection, cancellationToken);
        var head = await AuditLog.ReadHeadAsync(connection, snapshot, cancellationToken);
        List<ExecutionReceipt> receipts;
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = snapshot;
            command.CommandText = $"SELECT {ExecutionReceipts.Columns} FROM execution_receipts WHERE task_id = $task ORDER BY id";
            command.Bind("$task", taskId);
            receipts = await ExecutionReceipts.ReadAsync(command, cancellationToken).ToListAsync(cancellationToken);
        }

        int total = 0, full = 0;
        var keys = new List<AuditKey>();
        var lines = new List<string>();
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = snapshot;
            command.CommandText = $"SELECT {AuditLog.EntryColumns} FROM audit_entries WHERE sequence <= $head ORDER BY sequence";
            command.Bind("$head", head?.Sequence ?? 0);
            await foreach (var entry in AuditLog.ReadEntriesAsync(command, cancellationToken))
            {
                var keep = entry.TaskId == taskId || AuditKinds.IsChainKind(entry.Kind);
                total++;
                full += keep ? 1 : 0;
                lines.Add(EntryLine(keep ? entry : entry with { Payload = null }));
                if (AuditKey.FromAnnouncement(entry) is { } key)
                {
                    keys.Add(key);
                }
            }
        }

        var summary = new AuditExportSummary(taskId, total, full, receipts.Count, head);
        await WriteLineAsync(output, new
        {
            type = "header",
            format = Format,
            task_id = taskId,
            exported_at = ChainEncoding.Time(clock.GetUtcNow()),
            entries = total,
            full_entries = full,
            receipts = receipts.Count,
            note = "entries of other tasks are elided: payload omitted, payload_sha256 kept",
        }, cancellationToken);
        foreach (var key in keys)
        {
            await WriteLineAsync(output, new { type = "key", role = key.Role, key_id = key.KeyId, algorithm = key.Algorithm, public_key = key.PublicKey, announced_at = key.AnnouncedAt }, cancellationToken);
        }

        if (head is not null)
        {
            await WriteLineAsync(output, new { type = "head", sequence = head.Sequence, hash = head.Hash, key_id = head.KeyId, signature = head.Signature }, cancellationToken);
        }

        foreach (var line in lines)
        {
            await output.WriteLineAsync(line.AsMemory(), cancellationToken);
        }

        foreach (var r in receipts)
        {
            await WriteLineAsync(output, new
            {
                type = "receipt",
                id = r.Id,
                time = ChainEncoding.Time(r.Time),
                kind = r.Kind,
                task_id = r.TaskId,
                facts = r.Facts,
                ordered_by = r.OrderedBy,
                hash = r.Hash,
                signature = r.Signature,
                key_id = r.KeyId,
                algorithm = r.Algorithm,
                signer = r.Signer,
            }, cancellationToken);
        }

        return summary;
    }

    private static string EntryLine(AuditEntry e) => JsonSerializer.Serialize(new
    {
        type = "entry",
        sequence = e.Sequence,
        time = ChainEncoding.Time(e.Time),
        task_id = e.TaskId,
        kind = e.Kind,
        actor = e.Actor,
        payload = e.Payload,
        payload_sha256 = e.PayloadSha256,
        previous_hash = e.PreviousHash,
        hash = e.Hash,
        signature = e.Signature,
        key_id = e.KeyId,
        instance = e.Instance,
    }, Json);

    private static Task WriteLineAsync(TextWriter output, object line, CancellationToken cancellationToken) =>
        output.WriteLineAsync(JsonSerializer.Serialize(line, Json).AsMemory(), cancellationToken);

    /// <summary>Parses an export; a line that cannot be read is reported as the problem, with its line number.</summary>
    internal static async Task<ExportContents> ReadAsync(TextReader input, CancellationToken cancellationToken)
    {
        var contents = new ExportContents();
        var number = 0;
        while (await input.ReadLineAsync(cancellationToken) is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                switch (Text(root, "type"))
                {
                    case "header":
                        contents.Format = Text(root, "format");
                        contents.TaskId = Number(root, "task_id");
                        break;
                    case "key":
                        contents.Keys.Add((number, new AuditKey(Text(root, "role"), Text(root, "key_id"), Text(root, "algorithm"), Text(root, "public_key"), Number(root, "announced_at"))));
                        break;
                    case "head":
                        contents.Head = new AuditHead(Number(root, "sequence"), Text(root, "hash"), Text(root, "key_id"), Text(root, "signature"));
                        break;
                    case "entry":
                        var payload = OptionalText(root, "payload");
                        contents.Entries.Add(new AuditEntry(
                            Number(root, "sequence"), Time(root), OptionalNumber(root, "task_id"), Text(root, "kind"), Text(root, "actor"),
                            payload, Text(root, "payload_sha256"), Text(root, "previous_hash"), Text(root, "hash"), Text(root, "signature"), Text(root, "key_id"),
                            OptionalText(root, "instance")));
                        break;
                    case "receipt":
                        contents.Receipts.Add(new ExecutionReceipt(
                            Number(root, "id"), Time(root), Text(root, "kind"), OptionalNumber(root, "task_id"), Text(root, "facts"), Text(root, "ordered_by"),
                            Text(root, "hash"), Text(root, "signature"), Text(root, "key_id"), Text(root, "algorithm"), Text(root, "signer")));
                        break;
                    case var other:
                        throw new FormatException($"unknown line type '{other}'");
                }
            }
            catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
            {
                contents.Problem = new AuditBreak($"export line {number}", null, $"unreadable: {ex.Message}");
                return contents;
            }
        }

        if (contents.Format != Format)
        {
            contents.Problem = new AuditBreak("export header", null, $"not an {Format} file (format '{contents.Format ?? "missing"}')");
        }

        return contents;
    }

    private static string Text(JsonElement root, string name) =>
        root.GetProperty(name).GetString() ?? throw new FormatException($"'{name}' is null");

    private static string? OptionalText(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value.GetString() : null;

    private static long Number(JsonElement root, string name) => root.GetProperty(name).GetInt64();

    private static long? OptionalNumber(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value.GetInt64() : null;

    private static DateTimeOffset Time(JsonElement root) => ChainEncoding.ParseTime(Text(root, "time"));

    internal sealed class ExportContents
    {
        public string? Format { get; set; }

        public long? TaskId { get; set; }

        public List<(int Line, AuditKey Key)> Keys { get; } = [];

        public AuditHead? Head { get; set; }

        public List<AuditEntry> Entries { get; } = [];

        public List<ExecutionReceipt> Receipts { get; } = [];

        public AuditBreak? Problem { get; set; }
    }
}
