using System.Globalization;
using Atom.Bot.Storage;

namespace Atom.Bot.Ingress;

/// <summary>Deliveries by <c>X-GitHub-Delivery</c>; the primary key is what makes a replay a no-op.</summary>
public sealed class DeliveryStore(AtomDatabase database, TimeProvider clock)
{
    /// <summary>Stores the delivery; false when this delivery id was seen before.</summary>
    public async Task<bool> TryAddAsync(string deliveryId, string @event, string? action, long? installationId, string? repository, string payload, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO deliveries (delivery_id, event, action, installation_id, repository, payload, received_at)
            VALUES ($id, $event, $action, $installation, $repository, $payload, $now)
            ON CONFLICT (delivery_id) DO NOTHING
            """;
        command.Bind("$id", deliveryId);
        command.Bind("$event", @event);
        command.Bind("$action", (object?)action ?? DBNull.Value);
        command.Bind("$installation", (object?)installationId ?? DBNull.Value);
        command.Bind("$repository", (object?)repository ?? DBNull.Value);
        command.Bind("$payload", payload);
        command.Bind("$now", clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<StoredDelivery?> GetAsync(string deliveryId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT delivery_id, event, action, installation_id, repository, payload, received_at, processed_at, outcome
            FROM deliveries WHERE delivery_id = $id
            """;
        command.Bind("$id", deliveryId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new StoredDelivery(
            reader.GetString(0),
            reader.GetString(1),
            reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.IsDBNull(3) ? null : reader.GetInt64(3),
            reader.IsDBNull(4) ? null : reader.GetString(4),
            reader.GetString(5),
            DateTimeOffset.Parse(reader.GetString(6), CultureInfo.InvariantCulture),
            reader.IsDBNull(7) ? null : DateTimeOffset.Parse(reader.GetString(7), CultureInfo.InvariantCulture),
            reader.IsDBNull(8) ? null : reader.GetString(8));
    }

    /// <summary>Marks the delivery processed; false when another run already did (then the caller's effects are duplicates to skip).</summary>
    public async Task<bool> MarkProcessedAsync(string deliveryId, string outcome, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE deliveries SET processed_at = $now, outcome = $outcome WHERE delivery_id = $id AND processed_at IS NULL";
        command.Bind("$now", clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        command.Bind("$outcome", outcome);
        command.Bind("$id", deliveryId);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Records that the delivery's job was enqueued (jobs in PostgreSQL: see <see cref="DeliveryEnqueuer"/>).</summary>
    public Task MarkEnqueuedAsync(string deliveryId, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            "UPDATE deliveries SET enqueued_at = $now WHERE delivery_id = $id AND enqueued_at IS NULL",
            cancellationToken,
            ("$now", clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)),
            ("$id", deliveryId));

    /// <summary>Deliveries received before <paramref name="before"/>, never enqueued and not processed: their instance died between storing and enqueuing.</summary>
    public Task<IReadOnlyList<string>> ListStrandedAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        database.QueryAsync(
            "SELECT delivery_id FROM deliveries WHERE processed_at IS NULL AND enqueued_at IS NULL AND received_at < $before ORDER BY received_at",
            r => r.GetString(0),
            cancellationToken,
            ("$before", before.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)));

    public async Task<IReadOnlyList<string>> ListUnprocessedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT delivery_id FROM deliveries WHERE processed_at IS NULL ORDER BY received_at";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }
}
