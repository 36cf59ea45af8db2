using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Atom.Bot.Configuration;
using Atom.Bot.Storage;

namespace Atom.Bot.Audit;

/// <summary><c>atom audit ...</c>: verify, show, export, attest, public-key, rotate-key. Exit 0 when fine, 1 when something does not verify or is missing, 2 on a usage error.</summary>
public static class AuditCommand
{
    public const string Usage = """
        usage: atom audit <command>
          verify [--from-export FILE] [--public-key BASE64]
                 check every hash, link and signature, the signed head and every receipt (of the database, or of an export)
          verify --dsse FILE [--from-export FILE | --public-key BASE64]
                 check an attestation envelope against the chain's audit keys
          show --task N                 print a task's entries and receipts
          export --task N [--out FILE]  JSON Lines that `verify --from-export` checks without the database
          attest --task N [--out FILE]  the task's package decision: an in-toto statement in a DSSE envelope
          public-key [--json]           the audit keys and the receipt signer
          rotate-key                    a new signing key, announced by an entry signed with the current one
        """;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<int> RunAsync(string[] args, AtomOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args.Length == 0 || Flags(args[1..]) is not { } flags)
        {
            await error.WriteLineAsync(Usage.AsMemory(), cancellationToken);
            return 2;
        }

        var context = new Context(options, flags, output, error, cancellationToken);
        return args[0] switch
        {
            "verify" when flags.ContainsKey("dsse") => await VerifyDsseAsync(context),
            "verify" => await VerifyAsync(context),
            "show" => await WithTaskAsync(context, ShowAsync),
            "export" => await WithTaskAsync(context, ExportAsync),
            "attest" => await WithTaskAsync(context, AttestAsync),
            "public-key" => await PublicKeyAsync(context),
            "rotate-key" => await RotateKeyAsync(context),
            _ => await UsageErrorAsync(context, $"unknown audit command '{args[0]}'"),
        };
    }

    private static async Task<int> VerifyAsync(Context c)
    {
        AuditVerification result;
        string what;
        if (c.Flags.TryGetValue("from-export", out var file))
        {
            if (!File.Exists(file))
            {
                return await FailAsync(c, $"no such file: {file}");
            }

            using var reader = File.OpenText(file);
            result = await AuditVerifier.VerifyExportAsync(reader, c.Flags.GetValueOrDefault("public-key"), c.Cancellation);
            what = $"export {file}";
        }
        else
        {
            if (await OpenExistingAsync(c) is not { } database)
            {
                return 1;
            }

            result = await AuditVerifier.VerifyDatabaseAsync(database, c.Flags.GetValueOrDefault("public-key"), c.Cancellation);
            what = database.IsPostgreSql ? "the PostgreSQL database (ATOM_DATABASE)" : database.Path;
        }

        if (result.Break is { } broken)
        {
            await ErrorAsync(c, $"atom audit: {what} does NOT verify");
            await ErrorAsync(c, $"first broken: {broken}");
            await ErrorAsync(c, $"checked before the break: {result.Entries} entries, {result.Receipts} receipts");
            return 1;
        }

        await OutAsync(c, $"OK: {what}: {result.Entries} entries and {result.Receipts} receipts verified");
        if (result.Head is { } head)
        {
            await OutAsync(c, $"signed head: entry {head.Sequence}, hash {head.Hash}, key {head.KeyId}");
        }

        foreach (var key in result.Keys)
        {
            await OutAsync(c, $"{key.Role} key {key.KeyId} ({key.Algorithm}) announced at entry {key.AnnouncedAt}{(key.RetiredAt is { } r ? $", retired at entry {r}" : "")}");
        }

        return 0;
    }

    private static async Task<int> VerifyDsseAsync(Context c)
    {
        var file = c.Flags["dsse"];
        if (!File.Exists(file))
        {
            return await FailAsync(c, $"no such file: {file}");
        }

        IReadOnlyList<AuditKey> trusted;
        if (c.Flags.TryGetValue("public-key", out var pinned))
        {
            trusted = Signatures.FromBase64(pinned) is { Length: 32 } bytes
                ? [new AuditKey(AuditKey.AuditRole, Signatures.KeyId(bytes), Signatures.Ed25519, pinned, 0)]
                : [];
        }
        else if (c.Flags.TryGetValue("from-export", out var export))
        {
            using var reader = File.OpenText(export);
            var chain = await AuditVerifier.VerifyExportAsync(reader, null, c.Cancellation);
            if (!chain.IsValid)
            {
                return await FailAsync(c, $"the export {export} does not verify ({chain.Break}); its keys cannot be trusted");
            }

            trusted = chain.Keys;
        }
        else
        {
            if (await OpenExistingAsync(c) is not { } database)
            {
                return 1;
            }

            var chain = await AuditVerifier.VerifyDatabaseAsync(database, null, c.Cancellation);
            if (!chain.IsValid)
            {
                return await FailAsync(c, $"the audit chain does not verify ({chain.Break}); its keys cannot be trusted");
            }

            trusted = chain.Keys;
        }

        var result = AuditAttestation.Verify(await File.ReadAllTextAsync(file, c.Cancellation), trusted);
        if (!result.IsValid)
        {
            return await FailAsync(c, $"{file} does NOT verify: {result.Reason}");
        }

        await OutAsync(c, $"OK: {file}: {result.Reason}");
        await OutAsync(c, JsonNode.Parse(result.Statement!)!.ToJsonString(Indented));
        return 0;
    }

    private static async Task<int> ShowAsync(Context c, AtomDatabase database, long taskId)
    {
        using var keys = new AuditKeys(AuditOptions.From(c.Options));
        using var log = new AuditLog(database, keys, Redactor.For(c.Options), TimeProvider.System);
        var entries = await log.EntriesForTaskAsync(taskId, c.Cancellation);
        if (entries.Count == 0)
        {
            return await FailAsync(c, $"task {taskId} has no audit entries");
        }

        var reference = (await log.ReferenceForTaskAsync(taskId, c.Cancellation))!;
        await OutAsync(c, 
            $"task {taskId}: {reference.EntryCount} entries between #{reference.FirstSequence} and #{reference.LastSequence}; chain head #{reference.HeadSequence} {reference.HeadHash}");
        foreach (var e in entries)
        {
            await OutAsync(c, $"#{e.Sequence,-6} {ChainEncoding.Time(e.Time)}  {e.Kind,-24} by {e.Actor}");
            await OutAsync(c, $"        {e.Payload}");
            await OutAsync(c, $"        hash {e.Hash}  key {e.KeyId}");
        }

        var bySequence = entries.ToDictionary(e => e.Hash, e => e.Sequence, StringComparer.Ordinal);
        var receipts = await ReceiptsForTaskAsync(database, taskId, c.Cancellation);
        foreach (var r in receipts)
        {
            var orderedBy = bySequence.TryGetValue(r.OrderedBy, out var sequence) ? $"#{sequence}" : r.OrderedBy;
            await OutAsync(c, $"receipt {r.Id}: {r.Kind} at {ChainEncoding.Time(r.Time)}, ordered by {orderedBy}, signed by {r.Signer} key {r.KeyId}");
            await OutAsync(c, $"        {r.Facts}");
        }

        return 0;
    }

    private static async Task<int> ExportAsync(Context c, AtomDatabase database, long taskId)
    {
        if (c.Flags.TryGetValue("out", out var file))
        {
            AuditExportSummary summary;
            await using (var writer = File.CreateText(file))
            {
                summary = await AuditExport.WriteAsync(database, taskId, writer, TimeProvider.System, c.Cancellation);
            }

            await ErrorAsync(c, 
                $"wrote {file}: {summary.Entries} entries ({summary.FullEntries} in full), {summary.Receipts} receipts; check it with: atom audit verify --from-export {file}");
        }
        else
        {
            await AuditExport.WriteAsync(database, taskId, c.Output, TimeProvider.System, c.Cancellation);
        }

        return 0;
    }

    private static async Task<int> AttestAsync(Context c, AtomDatabase database, long taskId)
    {
        using var keys = new AuditKeys(AuditOptions.From(c.Options));
        using var log = new AuditLog(database, keys, Redactor.For(c.Options), TimeProvider.System);
        var envelope = await AuditAttestation.CreateAsync(log, keys, taskId, TimeProvider.System, c.Cancellation);
        if (envelope is null)
        {
            return await FailAsync(c, $"task {taskId} has no audit entries");
        }

        if (c.Flags.TryGetValue("out", out var file))
        {
            await File.WriteAllTextAsync(file, envelope + "\n", c.Cancellation);
            await ErrorAsync(c, $"wrote {file}; check it with: atom audit verify --dsse {file}");
        }
        else
        {
            await OutAsync(c, envelope);
        }

        return 0;
    }

    private static async Task<int> PublicKeyAsync(Context c)
    {
        var database = await OpenAsync(c);
        using var keys = new AuditKeys(AuditOptions.From(c.Options));
        using var log = new AuditLog(database, keys, Redactor.For(c.Options), TimeProvider.System);
        using var signer = new SoftwareReceiptSigner(AuditOptions.From(c.Options));
        await log.StartAsync(c.Cancellation);
        var document = await PublicKeyDocument.BuildAsync(log, signer, c.Cancellation);
        if (c.Flags.ContainsKey("json"))
        {
            await OutAsync(c, document.ToJsonString(Indented));
            return 0;
        }

        foreach (var key in document["keys"]!.AsArray())
        {
            var retired = key!["retired_at"] is { } at ? $"retired at entry {at}" : "in force";
            await OutAsync(c, $"audit key     {key["key_id"]}  {key["algorithm"]}  {key["public_key"]}  (announced at entry {key["announced_at"]}, {retired})");
        }

        var receipt = document["receipt_signer"]!;
        await OutAsync(c, $"receipt key   {receipt["key_id"]}  {receipt["algorithm"]}  {receipt["public_key"]}  (signer {receipt["signer"]})");
        await OutAsync(c, $"hardware      {receipt["hardware"]}");
        return 0;
    }

    private static async Task<int> RotateKeyAsync(Context c)
    {
        var database = await OpenAsync(c);
        using var keys = new AuditKeys(AuditOptions.From(c.Options));
        using var log = new AuditLog(database, keys, Redactor.For(c.Options), TimeProvider.System);
        var before = await log.StartAsync(c.Cancellation);
        var entry = await log.RotateKeyAsync($"cli:{Environment.UserName}", c.Cancellation);
        using var payload = JsonDocument.Parse(entry.Payload!);
        await OutAsync(c, 
            $"rotated: key {before.KeyId} retired; key {payload.RootElement.GetProperty("key_id").GetString()} announced by entry {entry.Sequence}, signed with the old key");
        return 0;
    }

    private static async Task<int> WithTaskAsync(Context c, Func<Context, AtomDatabase, long, Task<int>> run)
    {
        if (!c.Flags.TryGetValue("task", out var text) || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var taskId))
        {
            return await UsageErrorAsync(c, "--task N is required");
        }

        return await OpenExistingAsync(c) is { } database ? await run(c, database, taskId) : 1;
    }

    private static async Task<IReadOnlyList<ExecutionReceipt>> ReceiptsForTaskAsync(AtomDatabase database, long taskId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {ExecutionReceipts.Columns} FROM execution_receipts WHERE task_id = $task ORDER BY id";
        command.Bind("$task", taskId);
        return await ExecutionReceipts.ReadAsync(command, cancellationToken).ToListAsync(cancellationToken);
    }

    /// <summary>The database if it exists (migrated to the current schema); reading commands never create one.</summary>
    private static async Task<AtomDatabase?> OpenExistingAsync(Context c)
    {
        if (!AtomDatabase.Exists(c.Options))
        {
            await ErrorAsync(c, $"atom audit: no database at {c.Options.DatabasePath} (ATOM_DATA_DIR)");
            return null;
        }

        return await OpenAsync(c);
    }

    private static async Task<AtomDatabase> OpenAsync(Context c)
    {
        var database = AtomDatabase.For(c.Options);
        await database.MigrateAsync(c.Cancellation);
        return database;
    }

    private static Task OutAsync(Context c, string line) => c.Output.WriteLineAsync(line.AsMemory(), c.Cancellation);

    private static Task ErrorAsync(Context c, string line) => c.Error.WriteLineAsync(line.AsMemory(), c.Cancellation);

    private static async Task<int> FailAsync(Context c, string message)
    {
        await ErrorAsync(c, $"atom audit: {message}");
        return 1;
    }

    private static async Task<int> UsageErrorAsync(Context c, string message)
    {
        await ErrorAsync(c, $"atom audit: {message}\n{Usage}");
        return 2;
    }

    /// <summary><c>--name value</c> pairs; <c>--json</c> takes no value. Null when the arguments do not parse.</summary>
    private static Dictionary<string, string>? Flags(string[] args)
    {
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                return null;
            }

            var name = args[i][2..];
            if (name == "json")
            {
                flags[name] = "";
            }
            else if (i + 1 < args.Length)
            {
                flags[name] = args[++i];
            }
            else
            {
                return null;
            }
        }

        return flags;
    }

    private sealed record Context(AtomOptions Options, Dictionary<string, string> Flags, TextWriter Output, TextWriter Error, CancellationToken Cancellation);
}
