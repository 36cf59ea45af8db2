using System.Text.Json;
using Microsoft.Extensions.Primitives;
using Octokit.Webhooks;

namespace Atom.Bot.Ingress;

/// <summary>
/// Runs inline in the webhook request, after the signature was verified: it only stores the delivery and has a job
/// holding its id enqueued (<see cref="DeliveryEnqueuer"/>). Nothing slow happens here: no GitHub call, no LLM.
/// </summary>
public sealed partial class AtomWebhookProcessor(DeliveryStore deliveries, DeliveryEnqueuer enqueuer, ILogger<AtomWebhookProcessor> logger) : WebhookEventProcessor
{
    public override async ValueTask ProcessWebhookAsync(IDictionary<string, StringValues> headers, string body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var webhookHeaders = WebhookHeaders.Parse(headers);
        var deliveryId = webhookHeaders.Delivery!;
        var @event = webhookHeaders.Event!;
        var (action, installationId, repository) = Describe(body);

        if (!await deliveries.TryAddAsync(deliveryId, @event, action, installationId, repository, body, cancellationToken))
        {
            Log.Replayed(logger, deliveryId, @event);
            return;
        }

        await enqueuer.AcceptAsync(deliveryId, cancellationToken);
        Log.Accepted(logger, deliveryId, @event, action ?? "-", repository ?? "-");
    }

    private static (string? Action, long? InstallationId, string? Repository) Describe(string body)
    {
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        var action = root.TryGetProperty("action", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
        long? installation = root.TryGetProperty("installation", out var i) && i.ValueKind == JsonValueKind.Object
            && i.TryGetProperty("id", out var id) && id.TryGetInt64(out var value) ? value : null;
        var repository = root.TryGetProperty("repository", out var r) && r.ValueKind == JsonValueKind.Object
            && r.TryGetProperty("full_name", out var n) ? n.GetString() : null;
        return (action, installation, repository);
    }
}
