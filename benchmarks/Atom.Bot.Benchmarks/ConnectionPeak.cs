using Npgsql;

namespace Atom.Bot.Benchmarks;

/// <summary>The most connections one PostgreSQL database had open at once while a benchmark ran (sampled every 100 ms).</summary>
public sealed class ConnectionPeak : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _sampling = Task.CompletedTask;

    private ConnectionPeak()
    {
    }

    public int Peak { get; private set; }

    public static ConnectionPeak Start(string adminConnectionString, string database)
    {
        var peak = new ConnectionPeak();
        peak._sampling = peak.SampleAsync(adminConnectionString, database);
        return peak;
    }

    private async Task SampleAsync(string adminConnectionString, string database)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync(_stop.Token);
        await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = @d", connection);
        command.Parameters.AddWithValue("d", database);
        while (!_stop.IsCancellationRequested)
        {
            Peak = Math.Max(Peak, (int)(long)(await command.ExecuteScalarAsync(_stop.Token))!);
            await Task.Delay(100, _stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _sampling;
        }
        catch (OperationCanceledException)
        {
            // Stopped while sampling or waiting: the peak so far stands.
        }

        _stop.Dispose();
    }
}
