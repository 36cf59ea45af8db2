namespace Atom.Bot.Ingress;

/// <summary>A webhook delivery as received: the raw payload is kept so that a job can always be re-run.</summary>
public sealed record StoredDelivery(string DeliveryId, string Event, string? Action, long? InstallationId, string? Repository, string Payload, DateTimeOffset ReceivedAt, DateTimeOffset? ProcessedAt, string? Outcome);
