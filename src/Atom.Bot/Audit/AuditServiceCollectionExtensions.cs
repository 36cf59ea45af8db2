using Atom.Bot.Configuration;
using Atom.Bot.Storage;

namespace Atom.Bot.Audit;

public static class AuditServiceCollectionExtensions
{
    /// <summary>The audit slice of the configuration (<see cref="AuditOptions"/>), the audit log, its keys, the receipt signer (software Ed25519) and the start-up that creates them. Register after storage.</summary>
    public static IServiceCollection AddAudit(this IServiceCollection services, AtomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(AuditOptions.From(options));
        services.AddSingleton<AuditKeys>();
        // Every entry names the instance that wrote it: this process's id in the instances table.
        services.AddSingleton(provider => ActivatorUtilities.CreateInstance<AuditLog>(provider, provider.GetRequiredService<InstanceRegistry>().Id));
        services.AddSingleton<IReceiptSigner, SoftwareReceiptSigner>();
        services.AddSingleton<ExecutionReceipts>();
        services.AddHostedService<AuditStartup>();
        return services;
    }

    /// <summary><c>GET /audit/public-key</c>: the audit keys (current and retired) and the receipt signer.</summary>
    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/audit/public-key", async (AuditLog log, IReceiptSigner signer, CancellationToken ct) =>
            Results.Json(await PublicKeyDocument.BuildAsync(log, signer, ct)));
        return endpoints;
    }
}
