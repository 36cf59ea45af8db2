using Atom.Bot.IntegrationTests.Support;
using Npgsql;

namespace Atom.Bot.Benchmarks;

/// <summary>
/// The stores a benchmark runs on: SQLite always (the baseline), and with <c>--postgres</c> one PostgreSQL instance and
/// two instances on one database, in a throwaway cluster with PostgreSQL's default durability (every commit flushed),
/// as production runs. Without PostgreSQL installed that part says so and is skipped.
/// </summary>
public sealed class BenchmarkStores : IAsyncDisposable
{
    private readonly PostgresCluster? _cluster;

    private BenchmarkStores(PostgresCluster? cluster, IReadOnlyList<BenchmarkStore> all)
    {
        _cluster = cluster;
        All = all;
    }

    /// <summary>SQLite first: the figures of the others are ratios against it.</summary>
    public IReadOnlyList<BenchmarkStore> All { get; }

    public static async Task<BenchmarkStores> StartAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (!args.Contains("--postgres"))
        {
            return new BenchmarkStores(null, [BenchmarkStore.Sqlite]);
        }

        if (PostgresCluster.FindBinaries(out var reason) is null)
        {
            Console.WriteLine($"PostgreSQL part skipped: {reason}");
            return new BenchmarkStores(null, [BenchmarkStore.Sqlite]);
        }

        var cluster = await PostgresCluster.StartAsync(durable: true);
        Console.WriteLine($"PostgreSQL: a throwaway cluster on port {cluster.Port}, default durability (fsync on, synchronous_commit on), max_connections 400");
        return new BenchmarkStores(cluster, [BenchmarkStore.Sqlite, new("PostgreSQL", PostgreSql: true, Instances: 1), new("PostgreSQL ×2", PostgreSql: true, Instances: 2)]);
    }

    /// <summary>
    /// A new empty database for <paramref name="store"/>, with Npgsql's default pool (the tests' connection string caps it
    /// lower): what <c>ATOM_DATABASE</c> would hold in production. Null for SQLite.
    /// </summary>
    public async Task<string?> NewDatabaseAsync(BenchmarkStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (!store.PostgreSql)
        {
            return null;
        }

        var created = new NpgsqlConnectionStringBuilder(await _cluster!.CreateDatabaseAsync());
        return new NpgsqlConnectionStringBuilder { Host = created.Host, Port = created.Port, Username = created.Username, Database = created.Database }.ConnectionString;
    }

    /// <summary>Counts the connections to <paramref name="database"/> every 100 ms until disposed, keeping the highest.</summary>
    public ConnectionPeak? WatchConnections(string? database) =>
        database is null ? null : ConnectionPeak.Start(_cluster!.AdminConnectionString, new NpgsqlConnectionStringBuilder(database).Database!);

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
