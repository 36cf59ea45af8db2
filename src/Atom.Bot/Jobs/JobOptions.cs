using Atom.Bot.Configuration;

namespace Atom.Bot.Jobs;

/// <summary>
/// What the job servers need of the configuration: where jobs live, and how long an instance may stay silent before
/// another takes over its work. A slice of <see cref="AtomOptions"/>.
/// </summary>
public sealed record JobOptions
{
    /// <summary><c>memory</c>, or a PostgreSQL connection string (<c>ATOM_JOB_STORAGE</c>, or <c>ATOM_DATABASE</c>).</summary>
    public required string Storage { get; init; }

    /// <summary>Jobs in PostgreSQL, shared by every instance on it (<see cref="AtomOptions.UsesPostgreSql"/>); false in memory.</summary>
    public required bool Shared { get; init; }

    /// <summary>
    /// <c>ATOM_JOB_INVISIBILITY_SECONDS</c>: a job fetched by an instance that stops refreshing it for this long (the
    /// instance died) is fetched again by another; a claim on an assignment not refreshed for this long may be taken
    /// over. Live instances refresh both every <see cref="Heartbeat"/>.
    /// </summary>
    public required TimeSpan TakeoverAfter { get; init; }

    /// <summary>A fifth of <see cref="TakeoverAfter"/>, as Hangfire.PostgreSql slides its invisibility timeout.</summary>
    public TimeSpan Heartbeat => TakeoverAfter / 5;

    public static JobOptions From(AtomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new JobOptions { Storage = options.JobStorage, Shared = options.UsesPostgreSql, TakeoverAfter = TimeSpan.FromSeconds(options.JobInvisibilitySeconds) };
    }
}
