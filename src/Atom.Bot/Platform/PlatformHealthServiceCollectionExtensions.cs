using Atom.Bot.Health;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Atom.Bot.Platform;

public static class PlatformHealthServiceCollectionExtensions
{
    /// <summary>The <see cref="PlatformMode"/> and, when <c>ATOM_HEALTH_URL</c> is set, the monitor that sets it.</summary>
    public static IServiceCollection AddPlatformHealth(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PlatformMode>();
        services.AddHostedService(provider => ActivatorUtilities.CreateInstance<PlatformHealthMonitor>(provider, provider.GetService<PlatformHealthTuning>() ?? PlatformHealthTuning.Default));
        return services;
    }
}
