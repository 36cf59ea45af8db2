using System.Data.Common;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Npgsql;
using SQLitePCL;

namespace Atom.Bot.Storage;

/// <summary>
/// The state store: SQLite at <c>ATOM_DATA_DIR/atom.db</c> in WAL mode, or PostgreSQL (<see cref="ForPostgreSql"/>).
/// One connection per operation (both drivers pool them); uniqueness is always a database constraint, never
/// check-then-insert. The stores write one query text for both engines (<c>$name</c> placeholders, which
/// <see cref="DbCommandExtensions.Bind"/> turns into Npgsql's <c>@name</c>); what cannot be written once lives here.
/// </summary>
public sealed class AtomDatabase : IAsyncDisposable
{
    /// <summary>The key of the PostgreSQL advisory lock that stands for SQLite's one writer (<see cref="BeginWriteAsync"/>).</summary>
    private const long WriteLockKey = 0x41746f6d_57726974; // "AtomWrit"

    /// <summary>The key of the advisory lock under which instances starting together apply migrations once.</summary>
    private const long MigrationLockKey = 0x41746f6d_4d696772; // "AtomMigr"

    private readonly NpgsqlDataSource? _postgres;

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

    private AtomDatabase(NpgsqlDataSource postgres)
    {
        _postgres = postgres;
        _connectionString = "";
        Path = "";
    }

    /// <summary>The SQLite file, or empty for PostgreSQL.</summary>
    public string Path { get; }

    public bool IsPostgreSql => _postgres is not null;

    /// <summary>The store the configuration names: PostgreSQL with <c>ATOM_DATABASE</c>, else SQLite in the data directory.</summary>
    public static AtomDatabase For(Configuration.AtomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Database is { } postgres ? ForPostgreSql(postgres) : new AtomDatabase(options.DatabasePath);
    }

    /// <summary>Whether there is a store to read: PostgreSQL is always there to ask; a SQLite file may not exist yet.</summary>
    public static bool Exists(Configuration.AtomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Database is not null || File.Exists(options.DatabasePath);
    }

    /// <summary>The store in PostgreSQL at <paramref name="connectionString"/>.</summary>
    public static AtomDatabase ForPostgreSql(string connectionString)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        return new AtomDatabase(NpgsqlDataSource.Create(connectionString));
    }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_postgres is not null)
        {
            return await _postgres.OpenConnectionAsync(cancellationToken);
        }

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

    /// <summary>
    /// Applies every migration not yet applied, each in its own transaction: SQLite creates the file and switches to WAL
    /// first; PostgreSQL holds an advisory lock throughout, so instances starting together apply each migration once.
    /// </summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken)
    {
        if (_postgres is null)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
        }

        await using var connection = await OpenAsync(cancellationToken);
        if (_postgres is null)
        {
            await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL;", cancellationToken);
        }
        else
        {
            await ExecuteAsync(connection, null, $"SELECT pg_advisory_lock({MigrationLockKey})", cancellationToken);
        }

        try
        {
            return await ApplyMigrationsAsync(connection, cancellationToken);
        }
        finally
        {
            if (_postgres is not null)
            {
                await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({MigrationLockKey})", CancellationToken.None);
            }
        }
    }

    private async Task<IReadOnlyList<string>> ApplyMigrationsAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, null, """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version BIGINT PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at TEXT NOT NULL
            );
            """, cancellationToken);

        var applied = new List<string>();
        foreach (var migration in Migrations(_postgres is null ? "" : "postgres."))
        {
            await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, cancellationToken);
            await using (var check = connection.CreateCommand())
            {
                check.Transaction = transaction;
                check.CommandText = "SELECT COUNT(*) FROM schema_migrations WHERE version = $v";
                check.Bind("$v", (long)migration.Version);
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
                record.Bind("$v", (long)migration.Version);
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
    /// A transaction that holds the store's one write lock from its start (SQLite's <c>BEGIN IMMEDIATE</c>; in PostgreSQL
    /// a transaction-scoped advisory lock that every such transaction takes), so that read-then-write sequences such
    /// as an audit append serialise across connections and instances instead of failing at commit.
    /// </summary>
    public static async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection is SqliteConnection sqlite)
        {
            return sqlite.BeginTransaction(deferred: false);
        }

        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({WriteLockKey})", cancellationToken);
        return transaction;
    }

    /// <summary>A read transaction: one consistent snapshot for a multi-statement read (verification, export).</summary>
    public static async Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection is SqliteConnection sqlite
            ? sqlite.BeginTransaction(deferred: true)
            : await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
    }

    /// <summary>A JSON document's top-level field as an integer, in the engine's own spelling.</summary>
    public string JsonInteger(string column, string field) =>
        _postgres is null ? $"json_extract({column}, '$.{field}')" : $"(({column})::jsonb ->> '{field}')::bigint";

    /// <summary>Whether <paramref name="exception"/> is a uniqueness (or other constraint) violation: a lost race, not a fault.</summary>
    public static bool IsConstraintViolation(DbException exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteConstraint } or PostgresException { SqlState: ['2', '3', ..] };

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
    private static IEnumerable<Migration> Migrations(string engine)
    {
        var assembly = Assembly.GetExecutingAssembly();
        var prefix = "Atom.Bot.Storage.Migrations." + engine;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal)
                && char.IsAsciiDigit(n[prefix.Length]))
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

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}
