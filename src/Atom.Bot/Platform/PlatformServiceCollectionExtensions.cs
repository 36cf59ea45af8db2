using Atom.Bot.Health;
using Atom.Bot.Llm;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Atom.Bot.Platform;

public static class PlatformServiceCollectionExtensions
{
    /// <summary>
    /// The <see cref="PlatformMode"/> and, when <c>ATOM_HEALTH_URL</c> is set, the monitor that sets it; the
    /// <see cref="UsageStore"/> that keeps every LLM request's tokens; the gauges of the platform mode, the test sandbox and
    /// the spare worktrees.
    /// </summary>
    public static IServiceCollection AddPlatform(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PlatformMode>();
        services.AddHostedService(provider => ActivatorUtilities.CreateInstance<PlatformHealthMonitor>(provider, provider.GetService<PlatformHealthTuning>() ?? PlatformHealthTuning.Default));
        services.AddHostedService<PlatformGauges>();
        services.AddSingleton<UsageStore>();
        services.AddSingleton<ILlmUsageSink>(provider => provider.GetRequiredService<UsageStore>());
        return services;
    }
}
