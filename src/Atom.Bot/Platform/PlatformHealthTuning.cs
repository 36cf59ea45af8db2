namespace Atom.Bot.Platform;

/// <summary>How often the health API is asked and how long one answer may take; tests make these short.</summary>
public sealed record PlatformHealthTuning
{
    public static readonly PlatformHealthTuning Default = new();

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
