using Atom.Bot.Configuration;
using Atom.Bot.Health;
using Atom.Bot.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Atom.Bot.Llm;

public static class LlmServiceCollectionExtensions
{
    /// <summary>The process-wide <see cref="LlmPool"/>; a registered <see cref="LlmPoolTuning"/> or <see cref="TimeProvider"/> replaces the defaults.</summary>
    public static IServiceCollection AddLlm(this IServiceCollection services, AtomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PlatformMode>();
        var llm = LlmOptions.From(options);
        // The service registers the one Redactor first; a container with only the pool (tests) gets its own.
        services.TryAddSingleton(Redactor.For(options));
        services.AddSingleton(sp => new LlmPool(
            llm,
            sp.GetRequiredService<Redactor>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<LlmPool>>(),
            sp.GetService<LlmPoolTuning>(),
            sp.GetRequiredService<PlatformMode>(),
            sp.GetService<ILlmUsageSink>(),
            sp.GetService<AtomMetrics>()));
        return services;
    }
}
