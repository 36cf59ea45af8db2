namespace Atom.Bot.IntegrationTests.Support;

/// <summary>
/// One throwaway PostgreSQL cluster for the whole test run, started on first use. Under <c>CI=true</c> a missing or
/// broken PostgreSQL fails the tests that need it; elsewhere they are skipped with the reason.
/// </summary>
public sealed class PostgresFixture : IAsyncDisposable
{
    /// <summary>The run's one cluster, shared by the fixture and by <see cref="AtomTestHost"/> when the flows run on PostgreSQL.</summary>
    private static readonly Lazy<Task<PostgresCluster>> Cluster = new(PostgresCluster.StartAsync);

    private readonly Lazy<Task<PostgresCluster>> _cluster = Cluster;

    /// <summary>
    /// <c>TEST_STORE=postgres</c> runs every service the tests start on PostgreSQL (state only; jobs stay in memory),
    /// as <c>.ci/run</c> does in its second pass over the integration tests.
    /// </summary>
    public static bool FlowsOnPostgreSql => string.Equals(Environment.GetEnvironmentVariable("TEST_STORE"), "postgres", StringComparison.OrdinalIgnoreCase);

    public static Task<PostgresCluster> SharedClusterAsync() => Cluster.Value;

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The cluster; skips the calling test when PostgreSQL is not installed here and this is not CI.</summary>
    public async Task<PostgresCluster> ClusterAsync()
    {
        if (PostgresCluster.FindBinaries(out var reason) is null && !IsCi)
        {
            Assert.Skip(reason);
        }

        return await _cluster.Value;
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster.IsValueCreated && _cluster.Value.IsCompletedSuccessfully)
        {
            await (await _cluster.Value).DisposeAsync();
        }
    }
}
