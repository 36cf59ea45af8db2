namespace Atom.Bot.Health;

/// <summary>The mode in force, why, since when, and the reading that decided it (null before any reading).</summary>
public sealed record PlatformState(PlatformLevel Level, string Reason, DateTimeOffset Since, PlatformReading? Reading)
{
    public static PlatformState Initial(DateTimeOffset now) => new(PlatformLevel.Normal, "no health reading yet", now, null);

    /// <summary>For packages and comments: empty when normal.</summary>
    public string Describe() => Level == PlatformLevel.Normal ? "" : $"{Level.ToString().ToLowerInvariant()} ({Reason})";
}
