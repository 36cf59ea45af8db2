namespace Atom.Bot.GitHub;

/// <summary>How hard <see cref="GitHubRetryHandler"/> tries before it gives a failure back.</summary>
public sealed record GitHubRetryPolicy
{
    public int MaxAttempts { get; init; } = 4;
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromSeconds(60);
}
