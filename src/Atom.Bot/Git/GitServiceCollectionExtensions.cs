using Microsoft.Extensions.DependencyInjection.Extensions;
using Atom.Bot.Health;
using Atom.Bot.Configuration;

namespace Atom.Bot.Git;

public static class GitServiceCollectionExtensions
{
    /// <summary>
    /// The git slice of the configuration (<see cref="GitOptions"/>) and the process-wide <see cref="GitWorkspace"/>
    /// (one per process: its GitMirrors holds the in-process mirror locks).
    /// </summary>
    public static IServiceCollection AddGit(this IServiceCollection services, AtomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(GitOptions.From(options));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PlatformMode>();
        services.AddSingleton(sp => new GitWorkspace(sp.GetRequiredService<GitOptions>(), sp.GetRequiredService<ILogger<GitWorkspace>>(), sp.GetRequiredService<PlatformMode>()));
        return services;
    }
}
