using Atom.Bot.Configuration;
using Atom.Bot.Jobs;
using Octokit.Webhooks;
using Octokit.Webhooks.AspNetCore;

namespace Atom.Bot.Ingress;

public static class IngressServiceCollectionExtensions
{
    public static IServiceCollection AddIngress(this IServiceCollection services)
    {
        services.AddSingleton<DeliveryStore>();
        services.AddSingleton<InstallationStore>();
        services.AddTransient<EventOwners>();
        services.AddSingleton<DeliveryEnqueuer>();
        services.AddHostedService(provider => provider.GetRequiredService<DeliveryEnqueuer>());
        services.AddSingleton<WebhookEventProcessor, AtomWebhookProcessor>();
        services.AddTransient<DeliveryProcessor>();
        services.AddWorkItem<ProcessDelivery, DeliveryProcessor>(JobQueues.Ingress);
        services.AddWorkRecovery<DeliveryRecovery>();
        return services;
    }

    /// <summary><c>POST /api/github/webhooks</c>: verify, de-duplicate, persist, enqueue.</summary>
    public static IApplicationBuilder MapIngress(this WebApplication app, AtomOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        // The slice is handed to the middleware directly: it is built here, after the container is sealed.
        var webhook = WebhookOptions.From(options);
        // Only offline commands load without a secret; Octokit would take an empty one as "accept unsigned deliveries".
        if (string.IsNullOrEmpty(webhook.WebhookSecret))
        {
            throw new InvalidOperationException("ATOM_WEBHOOK_SECRET is required to receive webhooks");
        }

        app.UseMiddleware<WebhookPayloadGuard>(webhook);
        app.MapGitHubWebhooks(WebhookPayloadGuard.Path, webhook.WebhookSecret);
        return app;
    }
}
