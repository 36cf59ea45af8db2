namespace Atom.Bot.Configuration;

public sealed record AuditorSettings
{
    public double MinScore { get; init; } = 0.7;
}
