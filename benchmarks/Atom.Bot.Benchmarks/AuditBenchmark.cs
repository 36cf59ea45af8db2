using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Atom.Bot.Audit;
using Atom.Bot.Configuration;
using Atom.Bot.Storage;
using Microsoft.Data.Sqlite;
using NSec.Cryptography;

namespace Atom.Bot.Benchmarks;

/// <summary>
/// The audit log on a real SQLite file: entries appended per second (canonical JSON + hash + Ed25519 + store, one
/// transaction each) against a plain unsigned insert of the same row, sequentially and with 8 writers; then
/// verification speed (entries per second) from the database and from an export, against a plain read of the rows.
/// </summary>
public sealed class AuditBenchmark : IBenchmark
{
    public string Name => "audit";

    public string Description => "audit log: signed appends/s vs plain SQLite inserts, verification entries/s vs plain reads";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5000;
        var dataDir = Directory.CreateTempSubdirectory("atom-bench-audit-").FullName;
        try
        {
            var options = AtomConfiguration.Load(
                new Dictionary<string, string?> { ["ATOM_WEBHOOK_SECRET"] = "benchmark-secret", ["ATOM_GITHUB_TOKEN"] = "benchmark-token-123", ["ATOM_DATA_DIR"] = dataDir },
                dataDir,
                dataDir).Options!;
            var database = new AtomDatabase(options.DatabasePath);
            await database.MigrateAsync(cancellationToken);
            await CreatePlainTableAsync(database, cancellationToken);
            using var keys = new AuditKeys(AuditOptions.From(options));
            using var log = new AuditLog(database, keys, Redactor.For(options), TimeProvider.System, InstanceRegistry.CommandLineId);
            await log.StartAsync(cancellationToken);

            // Warm-up: JIT, connection pool, page cache.
            await PlainInsertsAsync(database, 200, 1, cancellationToken);
            await AppendsAsync(log, 200, 1, cancellationToken);

            var plain = await PlainInsertsAsync(database, count, 1, cancellationToken);
            var signed = await AppendsAsync(log, count, 1, cancellationToken);
            var plain8 = await PlainInsertsAsync(database, count, 8, cancellationToken);
            var signed8 = await AppendsAsync(log, count, 8, cancellationToken);
            var (sign, verify) = SignatureRates();

            var entries = await ScalarAsync(database, "SELECT COUNT(*) FROM audit_entries", cancellationToken);
            var read = await PlainReadAsync(database, cancellationToken);
            var verifyStart = Stopwatch.GetTimestamp();
            var verification = await AuditVerifier.VerifyDatabaseAsync(database, null, cancellationToken);
            var verifyDatabase = verification.Entries / Seconds(verifyStart);

            await using var export = new StringWriter();
            await AuditExport.WriteAsync(database, 1, export, TimeProvider.System, cancellationToken);
            var exportStart = Stopwatch.GetTimestamp();
            var exported = await AuditVerifier.VerifyExportAsync(new StringReader(export.ToString()), null, cancellationToken);
            var verifyExport = exported.Entries / Seconds(exportStart);

            Console.WriteLine($"entries per run: {count}, {Environment.ProcessorCount} cores, SQLite WAL synchronous=NORMAL");
            Console.WriteLine();
            Console.WriteLine($"{"append",-44}{"1 writer /s",14}{"8 writers /s",14}");
            Console.WriteLine($"{"plain insert (baseline, unsigned)",-44}{plain,14:F0}{plain8,14:F0}");
            Console.WriteLine($"{"audit entry (canonical JSON+hash+sign+head)",-44}{signed,14:F0}{signed8,14:F0}");
            Console.WriteLine($"ratio audit/plain: {signed / plain:F2}x with 1 writer, {signed8 / plain8:F2}x with 8 writers");
            Console.WriteLine($"Ed25519 alone: {sign:F0} signatures/s, {verify:F0} verifications/s (one core)");
            Console.WriteLine();
            Console.WriteLine($"verify ({entries} entries in the chain)        entries/s");
            Console.WriteLine($"{"plain read of every row (baseline)",-44}{read,14:F0}");
            Console.WriteLine($"{"atom audit verify (database)",-44}{verifyDatabase,14:F0}   {(verification.IsValid ? "valid" : "BROKEN: " + verification.Break)}");
            Console.WriteLine($"{"atom audit verify --from-export",-44}{verifyExport,14:F0}   {(exported.IsValid ? "valid" : "BROKEN: " + exported.Break)}");
            Console.WriteLine($"ratio verify/plain read: {verifyDatabase / read:F2}x (database), {verifyExport / read:F2}x (export)");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static object Payload(int i) => new
    {
        repository = "octo-org/octo-repo",
        issue = i,
        title = "Fix the flaky retry test in the ingress module",
        body_sha256 = "3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea",
        trigger_label = "atom",
    };

    private static async Task<double> AppendsAsync(AuditLog log, int count, int writers, CancellationToken cancellationToken)
    {
        var next = -1;
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await log.RecordAsync(AuditKinds.TaskAccepted, 1 + (i % 20), "octocat", Payload(i), cancellationToken);
            }
        }, cancellationToken)));
        return count / Seconds(start);
    }

    private static async Task<double> PlainInsertsAsync(AtomDatabase database, int count, int writers, CancellationToken cancellationToken)
    {
        var next = -1;
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await using var connection = await database.OpenAsync(cancellationToken);
                await using var transaction = await AtomDatabase.BeginWriteAsync(connection, cancellationToken);
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = "INSERT INTO bench_plain (recorded_at, task_id, kind, actor, payload) VALUES ($t, $task, $k, $a, $p)";
                command.Bind("$t", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
                command.Bind("$task", 1 + (i % 20));
                command.Bind("$k", AuditKinds.TaskAccepted);
                command.Bind("$a", "octocat");
                command.Bind("$p", JsonSerializer.Serialize(Payload(i)));
                await command.ExecuteNonQueryAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
        }, cancellationToken)));
        return count / Seconds(start);
    }

    /// <summary>Reads every audit row and touches each column: the floor under any verification.</summary>
    private static async Task<double> PlainReadAsync(AtomDatabase database, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {AuditLog.EntryColumns} FROM audit_entries ORDER BY sequence";
        long rows = 0, length = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows++;
            for (var c = 3; c < reader.FieldCount; c++)
            {
                length += reader.GetString(c).Length;
            }
        }

        GC.KeepAlive(length);
        return rows / Seconds(start);
    }

    private static (double Sign, double Verify) SignatureRates()
    {
        const int n = 5000;
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var digest = new byte[32];
        var start = Stopwatch.GetTimestamp();
        byte[] signature = [];
        for (var i = 0; i < n; i++)
        {
            digest[0] = (byte)i;
            signature = SignatureAlgorithm.Ed25519.Sign(key, digest);
        }

        var sign = n / Seconds(start);
        start = Stopwatch.GetTimestamp();
        for (var i = 0; i < n; i++)
        {
            SignatureAlgorithm.Ed25519.Verify(key.PublicKey, digest, signature);
        }

        return (sign, n / Seconds(start));
    }

    private static async Task CreatePlainTableAsync(AtomDatabase database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE bench_plain (sequence INTEGER PRIMARY KEY, recorded_at TEXT NOT NULL, task_id INTEGER, kind TEXT NOT NULL, actor TEXT NOT NULL, payload TEXT NOT NULL)";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<long> ScalarAsync(AtomDatabase database, string sql, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static double Seconds(long start) => BenchmarkSupport.Milliseconds(start, Stopwatch.GetTimestamp()) / 1000;
}
