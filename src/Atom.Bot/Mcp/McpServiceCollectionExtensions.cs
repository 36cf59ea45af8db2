using Atom.Bot.Configuration;

namespace Atom.Bot.Mcp;

public static class McpServiceCollectionExtensions
{
    /// <summary>The <see cref="McpGateway"/> over <c>ATOM_MCP_SERVERS</c>; a registered <see cref="McpTuning"/> replaces the default timeouts.</summary>
    public static IServiceCollection AddMcp(this IServiceCollection services, AtomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(provider => new McpGateway(options, provider.GetRequiredService<ILoggerFactory>(), provider.GetService<McpTuning>()));
        return services;
    }
}
