using System.Data.Common;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Atom.Bot.Storage;

/// <summary>
/// The state store: SQLite at <c>ATOM_DATA_DIR/atom.db</c> in WAL mode. One connection per operation
/// (Microsoft.Data.Sqlite pools them); uniqueness is always a database constraint, never check-then-insert.
/// </summary>
public sealed class AtomDatabase
{
    private const int BusyTimeoutMilliseconds = 10_000;
    private const int SqliteConstraint = 19;
    private readonly string _connectionString;

    /// <summary>Native connections already configured: the pool hands the same one out again, with its settings.</summary>
    private readonly ConditionalWeakTable<sqlite3, object> _configured = [];

    public AtomDatabase(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = BusyTimeoutMilliseconds / 1000,
        }.ToString();
    }

    public string Path { get; }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);

        // These settings belong to the native connection, which the pool keeps open between uses: set them once per
        // native connection rather than on every open (a round of statements on each request's path).
        if (connection.Handle is { } handle && _configured.TryGetValue(handle, out _))
        {
            return connection;
        }

        using var pragma = connection.CreateCommand();
        pragma.CommandText = $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        if (connection.Handle is { } opened)
        {
            _configured.AddOrUpdate(opened, this);
        }

        return connection;
    }

    /// <summary>Creates the file if needed, switches to WAL and applies every migration not yet applied, each in its own transaction.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL;", cancellationToken);
        await ExecuteAsync(connection, null, """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at TEXT NOT NULL
            );
            """, cancellationToken);

        var applied = new List<string>();
        foreach (var migration in Migrations())
        {
            await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, cancellationToken);
            await using (var check = connection.CreateCommand())
            {
                check.Transaction = transaction;
                check.CommandText = "SELECT COUNT(*) FROM schema_migrations WHERE version = $v";
                check.Bind("$v", migration.Version);
                if ((long)(await check.ExecuteScalarAsync(cancellationToken))! > 0)
                {
                    continue;
                }
            }

            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
            await using (var record = connection.CreateCommand())
            {
                record.Transaction = transaction;
                record.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($v, $n, $t)";
                record.Bind("$v", migration.Version);
                record.Bind("$n", migration.Name);
                record.Bind("$t", DateTimeOffset.UtcNow.ToString("O"));
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            applied.Add(migration.Name);
        }

        return applied;
    }

    /// <summary>
    /// A transaction that takes the write lock at once (SQLite's <c>BEGIN IMMEDIATE</c>), so that read-then-write
    /// sequences such as an audit append serialise instead of failing at commit.
    /// </summary>
    public static DbTransaction BeginWrite(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction(deferred: false);

    /// <summary>A read transaction: one consistent snapshot for a multi-statement read (verification, export).</summary>
    public static DbTransaction BeginSnapshot(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction(deferred: true);

    /// <summary>Whether <paramref name="exception"/> is a uniqueness (or other constraint) violation: a lost race, not a fault.</summary>
    public static bool IsConstraintViolation(DbException exception) => exception is SqliteException { SqliteErrorCode: SqliteConstraint };

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM schema_migrations";
            return await command.ExecuteScalarAsync(cancellationToken) is long;
        }
        catch (DbException)
        {
            return false;
        }
    }

    /// <summary>One statement on its own connection; null parameter values are bound as SQL NULL. Returns the rows changed.</summary>
    public async Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>One query on its own connection, each row mapped by <paramref name="read"/>.</summary>
    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> read, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        ArgumentNullException.ThrowIfNull(read);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private static DbCommand Command(DbConnection connection, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Bind(name, value ?? DBNull.Value);
        }

        return command;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Embedded <c>Storage/Migrations/NNNN_name.sql</c> files, ordered by their number.</summary>
    private static IEnumerable<Migration> Migrations()
    {
        var assembly = Assembly.GetExecutingAssembly();
        const string prefix = "Atom.Bot.Storage.Migrations.";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var name = n[prefix.Length..^".sql".Length];
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream);
                return new Migration(int.Parse(name.AsSpan(0, 4), System.Globalization.CultureInfo.InvariantCulture), name, reader.ReadToEnd());
            })
            .OrderBy(m => m.Version);
    }

    private sealed record Migration(int Version, string Name, string Sql);
}
