using Atom.Bot.Audit;
using Atom.Bot.Configuration;
using Atom.Bot.Storage;
using Microsoft.Data.Sqlite;
using NSec.Cryptography;

namespace Atom.Bot.Tests.Audit;

/// <summary>
/// A real audit log on a real SQLite file in a temp data directory, with the secrets of a configured service, and
/// the means to tamper with it the way an attacker with database access but no key would.
/// </summary>
public sealed class AuditTestChain : IAsyncDisposable
{
    public const string WebhookSecret = "unit-webhook-secret-91ab";
    public const string GitHubToken = "unit-github-token-55e2c0";
    public const string LlmApiKey = "unit-llm-api-key-7d3f99";
    public const string DashboardToken = "unit-dashboard-token-0b1e";
    /// <summary>Matches the redaction's token pattern (a prefix and 20+ characters) but is no real token's shape or length.</summary>
    public const string TokenShaped = "ghp_" + "TESTONLY0not0a0real0token";

    /// <summary>The instance <see cref="Log"/> writes as; <see cref="SecondLog"/> writes as <see cref="SecondInstance"/>.</summary>
    public const string FirstInstance = "unit-host:101:first";
    public const string SecondInstance = "unit-host:202:second";

    public static readonly IReadOnlyList<string> TestSecrets = [WebhookSecret, GitHubToken, LlmApiKey, DashboardToken, TokenShaped];

    private readonly List<IDisposable> _owned = [];

    private AuditTestChain(string dataDir, AtomOptions options, AtomDatabase database)
    {
        DataDir = dataDir;
        Options = options;
        Database = database;
        Keys = Own(new AuditKeys(AuditOptions.From(options)));
        Log = Own(new AuditLog(database, Keys, Redactor.For(options), TimeProvider.System, FirstInstance));
        Signer = Own(new SoftwareReceiptSigner(AuditOptions.From(options)));
        Receipts = new ExecutionReceipts(database, Log, Signer, Redactor.For(options), TimeProvider.System);
    }

    public string DataDir { get; }

    public AtomOptions Options { get; }

    public AtomDatabase Database { get; }

    public AuditKeys Keys { get; }

    public AuditLog Log { get; }

    public SoftwareReceiptSigner Signer { get; }

    public ExecutionReceipts Receipts { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<AuditTestChain> CreateAsync()
    {
        var dataDir = Directory.CreateTempSubdirectory("atom-audit-").FullName;
        var options = AtomConfiguration.Load(
            new Dictionary<string, string?>
            {
                ["ATOM_WEBHOOK_SECRET"] = WebhookSecret,
                ["ATOM_GITHUB_TOKEN"] = GitHubToken,
                ["ATOM_LLM_API_KEY"] = LlmApiKey,
                ["ATOM_DASHBOARD_TOKEN"] = DashboardToken,
                ["ATOM_DATA_DIR"] = dataDir,
            },
            dataDir,
            dataDir).Options!;
        var database = new AtomDatabase(options.DatabasePath);
        await database.MigrateAsync(Ct);
        return new AuditTestChain(dataDir, options, database);
    }

    /// <summary>Another "process" on the same data directory: its own key cache and its own in-process writer queue.</summary>
    public AuditLog SecondLog() =>
        Own(new AuditLog(Database, Own(new AuditKeys(AuditOptions.From(Options))), Redactor.For(Options), TimeProvider.System, SecondInstance));

    /// <summary>Records <paramref name="count"/> entries, alternating tasks 1 and 2.</summary>
    public async Task<IReadOnlyList<AuditEntry>> RecordAsync(int count)
    {
        var entries = new List<AuditEntry>();
        for (var i = 0; i < count; i++)
        {
            entries.Add(await Log.RecordAsync(AuditKinds.Dispatch, 1 + (i % 2), "octocat", new { assignment = i, title = $"step {i}" }, Ct));
        }

        return entries;
    }

    public Task<AuditVerification> VerifyAsync(string? expectedFirstKey = null) => AuditVerifier.VerifyDatabaseAsync(Database, expectedFirstKey, Ct);

    public async Task<string> ExportAsync(long taskId)
    {
        await using var writer = new StringWriter();
        await AuditExport.WriteAsync(Database, taskId, writer, TimeProvider.System, Ct);
        return writer.ToString();
    }

    /// <summary>Runs SQL with the append-only triggers dropped, as someone with write access to the file could.</summary>
    public async Task TamperAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await Database.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            DROP TRIGGER IF EXISTS audit_entries_no_update; DROP TRIGGER IF EXISTS audit_entries_no_delete;
            DROP TRIGGER IF EXISTS audit_head_forward_only; DROP TRIGGER IF EXISTS audit_head_no_delete;
            DROP TRIGGER IF EXISTS execution_receipts_no_update; DROP TRIGGER IF EXISTS execution_receipts_no_delete;
            """ + sql;
        foreach (var (name, value) in parameters)
        {
            command.Bind(name, value);
        }

        await command.ExecuteNonQueryAsync(Ct);
    }

    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await Database.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Bind(name, value);
        }

        return (T)(await command.ExecuteScalarAsync(Ct))!;
    }

    /// <summary>Every text column of every audit row, for scanning.</summary>
    public async Task<string> AllStoredTextAsync()
    {
        await using var connection = await Database.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT group_concat(kind || ' ' || actor || ' ' || payload || ' ' || signature, char(10)) FROM audit_entries
            UNION ALL SELECT group_concat(facts || ' ' || signer, char(10)) FROM execution_receipts
            """;
        var parts = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            parts.Add(reader.IsDBNull(0) ? "" : reader.GetString(0));
        }

        return string.Join('\n', parts);
    }

    /// <summary>
    /// An entry that links correctly after <paramref name="previous"/> and whose hash is right, but signed by a key
    /// that is not the chain's (<paramref name="claimedKeyId"/> defaults to the foreign key's own id).
    /// </summary>
    public static AuditEntry ForgedEntry(AuditHead previous, Key foreignKey, string? claimedKeyId = null, long? taskId = 1)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(foreignKey);
        var keyId = claimedKeyId ?? Signatures.KeyId(foreignKey.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        var payload = """{"merged":true}""";
        var time = DateTimeOffset.UtcNow;
        var digest = ChainEncoding.EntryDigest(previous.Sequence + 1, time, taskId, AuditKinds.Merge, "mallory", Hashing.Sha256(payload), previous.Hash, keyId, FirstInstance);
        return new AuditEntry(previous.Sequence + 1, time, taskId, AuditKinds.Merge, "mallory", payload, Hashing.Sha256(payload), previous.Hash,
            Convert.ToHexStringLower(digest), Convert.ToBase64String(SignatureAlgorithm.Ed25519.Sign(foreignKey, digest)), keyId, FirstInstance);
    }

    public async Task InsertAsync(AuditEntry e)
    {
        await TamperAsync(
            $"INSERT INTO audit_entries ({AuditLog.EntryColumns}) VALUES ($s, $t, $task, $k, $a, $p, $prev, $h, $sig, $key, $instance)",
            ("$s", e.Sequence), ("$t", ChainEncoding.Time(e.Time)), ("$task", (object?)e.TaskId ?? DBNull.Value), ("$k", e.Kind), ("$a", e.Actor),
            ("$p", e.Payload!), ("$prev", e.PreviousHash), ("$h", e.Hash), ("$sig", e.Signature), ("$key", e.KeyId),
            ("$instance", (object?)e.Instance ?? DBNull.Value));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        SqliteConnection.ClearAllPools();
        await Task.Yield();
        Directory.Delete(DataDir, recursive: true);
    }

    private T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }
}
