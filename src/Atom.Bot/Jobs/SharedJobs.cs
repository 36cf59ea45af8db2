using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Npgsql;

namespace Atom.Bot.Jobs;

/// <summary>
/// Hangfire's jobs in PostgreSQL, shared by every instance on the database: any instance runs any job, and a job whose
/// instance died is fetched again by another once <see cref="JobOptions.TakeoverAfter"/> has passed without a refresh.
/// </summary>
internal static class SharedJobs
{
    /// <summary>Held while Hangfire installs or upgrades its schema, so that instances starting together do it once.</summary>
    private const long SchemaLockKey = 0x41746F6D4A6F6273; // "AtomJobs"

    public static PostgreSqlStorage Open(JobOptions options)
    {
        var storageOptions = new PostgreSqlStorageOptions
        {
            // The live instance slides the fetched job's timestamp every fifth of the timeout, so a job longer than the
            // timeout stays with its instance, and a dead instance's job is visible again within about the timeout
            // (Hangfire.PostgreSql's default is a fixed 30 minutes, which a long assignment could outlive).
            InvisibilityTimeout = options.TakeoverAfter,
            UseSlidingInvisibilityTimeout = true,
            // A job enqueued anywhere wakes a fetching worker through LISTEN/NOTIFY, but Hangfire.PostgreSql wakes them
            // through one process-wide AutoResetEvent: one waiter, maybe of another queue (ingress, supervisor and workers
            // each have a server), which finds nothing and sleeps again. The poll bounds that, and finds the jobs that
            // became visible again (a dead instance's). A quarter second bounds a job hop that lost its wake-up to that (the orchestration
            // benchmark's PostgreSQL median went from 1.61x to 1.16x of SQLite's); it costs each idle worker four indexed queries a second.
            EnableLongPolling = true,
            QueuePollInterval = TimeSpan.FromMilliseconds(250),
        };

        using var connection = new NpgsqlConnection(options.Storage);
        connection.Open();
        using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_lock({SchemaLockKey})", connection))
        {
            lockCommand.ExecuteNonQuery();
        }

        try
        {
            return new PostgreSqlStorage(new NpgsqlConnectionFactory(options.Storage, storageOptions), storageOptions);
        }
        finally
        {
            using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({SchemaLockKey})", connection);
            unlock.ExecuteNonQuery();
        }
    }
}
