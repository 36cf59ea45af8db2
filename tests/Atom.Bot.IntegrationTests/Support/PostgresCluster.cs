using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>
/// A throwaway PostgreSQL cluster for the test run: <c>initdb</c> into a temporary directory, started with
/// <c>pg_ctl</c> on a free loopback port (as the <c>postgres</c> user when the tests run as root, since PostgreSQL
/// refuses root), durability off for speed, stopped and deleted at the end. One per test run (an assembly fixture);
/// each test takes its own database with <see cref="CreateDatabaseAsync"/>.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _root;
    private readonly bool _asPostgres;
    private int _databases;

    private PostgresCluster(string bin, string root, bool asPostgres, int port)
    {
        _bin = bin;
        _root = root;
        _asPostgres = asPostgres;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The superuser's connection to the <c>postgres</c> database (trust authentication on loopback).</summary>
    public string AdminConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false";

    private string Data => Path.Combine(_root, "data");

    /// <summary>The directory holding <c>initdb</c> and <c>pg_ctl</c>, or null (with why) when PostgreSQL is not installed.</summary>
    public static string? FindBinaries(out string reason)
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).OrderByDescending(d => d, StringComparer.Ordinal)
            : Enumerable.Empty<string>();
        foreach (var bin in candidates.Append("/usr/local/bin").Append("/usr/bin"))
        {
            if (File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl")))
            {
                reason = "";
                return bin;
            }
        }

        reason = "PostgreSQL is not installed (no initdb and pg_ctl under /usr/lib/postgresql/*/bin); `.ci/run` installs it";
        return null;
    }

    /// <summary>A cluster for tests: durability off (<c>fsync</c>, <c>synchronous_commit</c>, full page writes), for speed.</summary>
    public static Task<PostgresCluster> StartAsync() => StartAsync(durable: false);

    /// <summary>
    /// A cluster with durability off for tests, or with PostgreSQL's own defaults (every commit flushed to disk) when
    /// <paramref name="durable"/>, as a production server runs and a benchmark should measure.
    /// </summary>
    public static async Task<PostgresCluster> StartAsync(bool durable)
    {
        var bin = FindBinaries(out var reason) ?? throw new InvalidOperationException(reason);
        var root = Directory.CreateTempSubdirectory("atom-pg-").FullName;
        var asPostgres = Environment.UserName == "root";
        if (asPostgres)
        {
            await RunAsync("chown", ["-R", "postgres:", root]);
        }

        var cluster = new PostgresCluster(bin, root, asPostgres, FreePort());
        try
        {
            await cluster.PgAsync("initdb", ["-D", cluster.Data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]);
            await cluster.PgAsync("pg_ctl", ["-D", cluster.Data, "-l", Path.Combine(root, "server.log"), "-w", "-t", "60", "-o",
                $"-p {cluster.Port} -c listen_addresses=127.0.0.1 -k {root} -c max_connections=400"
                + (durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"), "start"]);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>A new empty database, and the connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"atom_test_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}"[..40];
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return $"Host=127.0.0.1;Port={Port};Username=postgres;Database={name};Maximum Pool Size=8;Connection Idle Lifetime=10;Connection Pruning Interval=5";
    }

    public async ValueTask DisposeAsync()
    {
        if (Directory.Exists(Data))
        {
            try
            {
                await PgAsync("pg_ctl", ["-D", Data, "-m", "immediate", "-w", "stop"]);
            }
            catch (InvalidOperationException)
            {
                // Not running (start failed): nothing to stop.
            }
        }

        NpgsqlConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private Task PgAsync(string tool, IReadOnlyList<string> arguments) =>
        _asPostgres
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. arguments])
            : RunAsync(Path.Combine(_bin, tool), arguments);

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {await error}{await output}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
