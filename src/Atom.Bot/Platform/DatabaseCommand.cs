using System.Data.Common;
using Atom.Bot.Configuration;
using Atom.Bot.Storage;

namespace Atom.Bot.Platform;

/// <summary>
/// <c>atom db copy --to &lt;PostgreSQL connection string&gt;</c>: moves the SQLite store of <c>ATOM_DATA_DIR</c> into an
/// empty PostgreSQL database, row for row with the same ids, so that the signed audit chain verifies there as it did
/// here. The source is only read; the target is migrated first and refused when it already holds data.
/// </summary>
public static class DatabaseCommand
{
    public const string Usage = "usage: atom db copy --to <PostgreSQL connection string>";

    public static async Task<int> RunAsync(string[] args, AtomOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args is not ["copy", "--to", { Length: > 0 } target])
        {
            await error.WriteLineAsync(Usage.AsMemory(), cancellationToken);
            return 2;
        }

        if (!File.Exists(options.DatabasePath))
        {
            await error.WriteLineAsync($"atom db: no SQLite store at {options.DatabasePath} (ATOM_DATA_DIR)".AsMemory(), cancellationToken);
            return 1;
        }

        var source = new AtomDatabase(options.DatabasePath);
        await source.MigrateAsync(cancellationToken);
        var before = await Audit.AuditVerifier.VerifyDatabaseAsync(source, null, cancellationToken);
        if (!before.IsValid)
        {
            await error.WriteLineAsync($"atom db: the source's audit chain does not verify ({before.Break}); nothing was copied".AsMemory(), cancellationToken);
            return 1;
        }

        await using var destination = AtomDatabase.ForPostgreSql(target);
        await destination.MigrateAsync(cancellationToken);
        var copied = await CopyAsync(source, destination, cancellationToken);
        if (copied is null)
        {
            await error.WriteLineAsync($"atom db: {Redaction.ConnectionString(target)} already holds Atom data; copy only into an empty database".AsMemory(), cancellationToken);
            return 1;
        }

        var after = await Audit.AuditVerifier.VerifyDatabaseAsync(destination, null, cancellationToken);
        foreach (var (table, rows) in copied)
        {
            await output.WriteLineAsync($"{table,-24} {rows,8} rows".AsMemory(), cancellationToken);
        }

        await output.WriteLineAsync($"audit chain: {before.Entries} entries verified before, {after.Entries} after: {(after.IsValid && after.Entries == before.Entries ? "intact" : $"BROKEN ({after.Break})")}".AsMemory(), cancellationToken);
        return after.IsValid && after.Entries == before.Entries ? 0 : 1;
    }

    /// <summary>Copies every table in creation order (so references point backwards), then moves each identity past its ids.</summary>
    private static async Task<IReadOnlyList<(string Table, int Rows)>?> CopyAsync(AtomDatabase source, AtomDatabase destination, CancellationToken cancellationToken)
    {
        await using var from = await source.OpenAsync(cancellationToken);
        await using var to = await destination.OpenAsync(cancellationToken);
        var tables = await TablesAsync(from, cancellationToken);
        await using var transaction = await to.BeginTransactionAsync(cancellationToken);
        foreach (var table in tables)
        {
            await using var count = to.CreateCommand();
            count.Transaction = transaction;
            count.CommandText = $"SELECT COUNT(*) FROM {table}";
            if ((long)(await count.ExecuteScalarAsync(cancellationToken))! > 0)
            {
                return null;
            }
        }

        var copied = new List<(string, int)>();
        foreach (var table in tables)
        {
            copied.Add((table, await CopyTableAsync(from, to, transaction, table, cancellationToken)));
        }

        await transaction.CommitAsync(cancellationToken);
        return copied;
    }

    private static async Task<List<string>> TablesAsync(DbConnection sqlite, CancellationToken cancellationToken)
    {
        await using var command = sqlite.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('schema_migrations', 'instances') ORDER BY rowid";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var names = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            names.Add(reader.GetString(0));
        }

        // A table rebuilt by a migration (tasks, in 0013) comes after the tables that point at it: copy each table after
        // the tables its foreign keys name, otherwise in the order they were created.
        var parents = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            await using var keys = sqlite.CreateCommand();
            keys.CommandText = "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list($table)";
            keys.Bind("$table", name);
            await using var found = await keys.ExecuteReaderAsync(cancellationToken);
            parents[name] = [];
            while (await found.ReadAsync(cancellationToken))
            {
                var parent = found.GetString(0);
                if (parent != name && names.Contains(parent))
                {
                    parents[name].Add(parent);
                }
            }
        }

        var tables = new List<string>();
        while (tables.Count < names.Count)
        {
            var next = names.FirstOrDefault(n => !tables.Contains(n) && parents[n].All(tables.Contains))
                ?? names.First(n => !tables.Contains(n));
            tables.Add(next);
        }

        return tables;
    }

    private static async Task<int> CopyTableAsync(DbConnection from, DbConnection to, DbTransaction transaction, string table, CancellationToken cancellationToken)
    {
        await using var select = from.CreateCommand();
        select.CommandText = $"SELECT * FROM {table}";
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        var insert = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(c => "$" + c))})";
        var rows = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            await using var command = to.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = insert;
            for (var i = 0; i < columns.Count; i++)
            {
                command.Bind("$" + columns[i], reader.IsDBNull(i) ? null : reader.GetValue(i));
            }

            await command.ExecuteNonQueryAsync(cancellationToken);
            rows++;
        }

        if (columns.Contains("id"))
        {
            await using var sequence = to.CreateCommand();
            sequence.Transaction = transaction;
            sequence.CommandText = $"SELECT pg_get_serial_sequence('{table}', 'id')";
            if (await sequence.ExecuteScalarAsync(cancellationToken) is string name)
            {
                await using var identity = to.CreateCommand();
                identity.Transaction = transaction;
                identity.CommandText = $"SELECT setval('{name}', GREATEST((SELECT MAX(id) FROM {table}), 1), (SELECT MAX(id) FROM {table}) IS NOT NULL)";
                await identity.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        return rows;
    }
}
