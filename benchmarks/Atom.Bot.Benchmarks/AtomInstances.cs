using Atom.Bot.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Atom.Bot.Benchmarks;

/// <summary>
/// One or more Atom services started in this process on one store, each with its own data directory (mirrors,
/// worktrees) and all with the first one's audit key, as instances that share the key directory. Stopped and their
/// directories deleted on dispose.
/// </summary>
public sealed class AtomInstances : IAsyncDisposable
{
    private readonly List<WebApplication> _services = [];
    private readonly List<string> _dataDirs = [];

    private AtomInstances()
    {
    }

    /// <summary>The base address of each instance, to spread requests over them as a load balancer would.</summary>
    public IReadOnlyList<string> Urls => _services.Select(s => s.Urls.First()).ToList();

    /// <summary>The first instance's services: with a shared database, its stores see every instance's work.</summary>
    public IServiceProvider First => _services[0].Services;

    /// <summary>
    /// Starts <see cref="BenchmarkStore.Instances"/> services with <paramref name="settings"/>, <c>ATOM_DATABASE</c> set to
    /// <paramref name="database"/> (null: SQLite), one after another as a first deployment does (the first creates the key).
    /// </summary>
    public static async Task<AtomInstances> StartAsync(
        BenchmarkStore store, string? database, IReadOnlyDictionary<string, string?> settings, Action<WebApplicationBuilder> configure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(settings);
        var instances = new AtomInstances();
        try
        {
            for (var i = 0; i < store.Instances; i++)
            {
                var dataDir = Directory.CreateTempSubdirectory("atom-bench-").FullName;
                instances._dataDirs.Add(dataDir);
                if (i > 0)
                {
                    // The key directory is one volume mounted into every instance (docs/operations.md): a link here.
                    Directory.CreateSymbolicLink(Path.Combine(dataDir, "keys"), Path.Combine(instances._dataDirs[0], "keys"));
                }

                var environment = new Dictionary<string, string?>(settings) { ["ATOM_DATA_DIR"] = dataDir, ["ATOM_DATABASE"] = database };
                var configuration = AtomConfiguration.Load(environment, dataDir, dataDir);
                if (!configuration.IsValid)
                {
                    throw new InvalidOperationException(string.Join("; ", configuration.Errors));
                }

                var service = Program.BuildService(configuration.Options!, ["--urls", $"http://127.0.0.1:{BenchmarkSupport.FreePort()}"], configure);
                instances._services.Add(service);
                await service.StartAsync(cancellationToken);
            }

            return instances;
        }
        catch
        {
            await instances.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _services)
        {
            await service.StopAsync(CancellationToken.None);
            await service.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools();
        foreach (var dataDir in _dataDirs)
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
