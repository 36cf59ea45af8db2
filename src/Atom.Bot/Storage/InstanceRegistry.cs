using System.Globalization;

namespace Atom.Bot.Storage;

/// <summary>
/// This instance's row in <c>instances</c>, refreshed every <see cref="Heartbeat"/> and deleted on a clean stop, so that
/// instances sharing one database can list each other (<c>/status</c>): live means seen within <see cref="LiveWithin"/>.
/// </summary>
public sealed class InstanceRegistry(AtomDatabase database, TimeProvider clock) : BackgroundService
{
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan LiveWithin = TimeSpan.FromMinutes(1);

    /// <summary>Host, process and a random part: two processes on one host, or a restart, never share an id.</summary>
    public string Id { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>
    /// The id a command-line process (<c>atom audit rotate-key</c>, ...) writes under: the same shape, with <c>cli</c> in
    /// place of the random part, since such a process keeps no row here and lives only as long as its command.
    /// </summary>
    public static string CommandLineId => $"{Environment.MachineName}:{Environment.ProcessId}:cli";

    private readonly string _startedAt = clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);

    public async Task<IReadOnlyList<LiveInstance>> ListLiveAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync(
            "SELECT id, host, started_at, seen_at FROM instances WHERE seen_at >= $since ORDER BY started_at, id",
            r => new LiveInstance(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(0) == Id),
            cancellationToken,
            ("$since", clock.GetUtcNow().Subtract(LiveWithin).ToString("O", CultureInfo.InvariantCulture)));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await database.ExecuteAsync("DELETE FROM instances WHERE id = $id", CancellationToken.None, ("$id", Id));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Heartbeat, clock);
        do
        {
            await database.ExecuteAsync(
                """
                INSERT INTO instances (id, host, started_at, seen_at) VALUES ($id, $host, $started, $now)
                ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at
                """,
                stoppingToken,
                ("$id", Id),
                ("$host", Environment.MachineName),
                ("$started", _startedAt),
                ("$now", clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)));
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
