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
            // Plain polling, not long polling: Hangfire.PostgreSql's LISTEN/NOTIFY wakes fetchers through one process-wide
            // AutoResetEvent (one waiter, maybe of another queue, which finds nothing), and each fetch cancels and waits
            // for its own listener connection; a killed peer once left both of an instance's supervisor workers silent with
            // a job enqueued (TwoInstancesTests on CI). A quarter-second poll finds a new job, or one made visible again by
            // a dead instance, as fast as the notification did in the orchestration benchmark; it costs each idle worker
            // four indexed queries a second.
            EnableLongPolling = false,
            QueuePollInterval = TimeSpan.FromMilliseconds(250),
            // Hangfire's distributed locks (the delayed-job poller's, a job's state lock) are rows that a killed instance
            // leaves behind; they are taken over once this old. Hangfire.PostgreSql's default of 10 minutes stalled every
            // scheduled job (retries, waits) that long after an instance died holding the poller's lock. Every lock Atom's
            // jobs take is held for milliseconds, so the takeover bound of jobs serves locks too.
            DistributedLockTimeout = options.TakeoverAfter,
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
