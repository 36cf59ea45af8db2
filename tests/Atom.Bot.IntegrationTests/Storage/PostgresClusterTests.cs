using Atom.Bot.IntegrationTests.Support;
using Npgsql;

[assembly: AssemblyFixture(typeof(PostgresFixture))]

namespace Atom.Bot.IntegrationTests.Storage;

/// <summary>The test run's own PostgreSQL: the ground the PostgreSQL store's tests stand on (docs/operations.md).</summary>
public sealed class PostgresClusterTests(PostgresFixture postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_test_gets_its_own_database_on_a_loopback_cluster()
    {
        var cluster = await postgres.ClusterAsync();
        var first = await cluster.CreateDatabaseAsync();
        var second = await cluster.CreateDatabaseAsync();

        await using (var connection = new NpgsqlConnection(first))
        {
            await connection.OpenAsync(Ct);
            await using var create = new NpgsqlCommand("CREATE TABLE t (id bigint PRIMARY KEY); INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING; INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING", connection);
            await create.ExecuteNonQueryAsync(Ct);
            await using var count = new NpgsqlCommand("SELECT count(*) FROM t", connection);
            ((long)(await count.ExecuteScalarAsync(Ct))!).ShouldBe(1);
        }

        await using (var connection = new NpgsqlConnection(second))
        {
            await connection.OpenAsync(Ct);
            await using var exists = new NpgsqlCommand("SELECT to_regclass('public.t') IS NULL", connection);
            ((bool)(await exists.ExecuteScalarAsync(Ct))!).ShouldBeTrue("databases do not share tables");
            await using var where = new NpgsqlCommand("SELECT inet_server_addr()::text", connection);
            ((string)(await where.ExecuteScalarAsync(Ct))!).ShouldStartWith("127.0.0.1");
        }
    }
}
