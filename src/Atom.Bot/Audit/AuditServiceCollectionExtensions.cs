namespace Atom.Bot.Audit;

public static class AuditServiceCollectionExtensions
{
    public static IServiceCollection AddAudit(this IServiceCollection services, Atom.Bot.Configuration.AtomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return services.AddSingleton<AuditLog>();
    }

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder endpoints) => endpoints;
}
