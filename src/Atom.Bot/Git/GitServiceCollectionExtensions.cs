using Atom.Bot.Configuration;

namespace Atom.Bot.Git;

public static class GitServiceCollectionExtensions
{
    /// <summary>The process-wide <see cref="GitWorkspace"/> (one per process: its GitMirrors holds the in-process mirror locks).</summary>
    public static IServiceCollection AddGit(this IServiceCollection services, AtomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(sp => new GitWorkspace(options, sp.GetRequiredService<ILogger<GitWorkspace>>()));
        return services;
    }
}
