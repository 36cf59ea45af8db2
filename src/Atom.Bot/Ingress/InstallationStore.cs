using System.Globalization;
using System.Text.Json;
using Atom.Bot.Approval;
using Atom.Bot.Audit;
using Atom.Bot.Storage;
using Octokit.Webhooks.Events;

namespace Atom.Bot.Ingress;

/// <summary>Where Atom is installed: the latest <c>installation</c> event per installation.</summary>
public sealed class InstallationStore(AtomDatabase database, AuditLog audit, TimeProvider clock)
{
    public async Task<DeliveryOutcome> RecordAsync(InstallationEvent e, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Installation is null)
        {
            return DeliveryOutcome.Ignored("no installation");
        }

        var account = e.Sender?.Login ?? "unknown";
        var repositories = e.AdditionalProperties is { } extra && extra.TryGetValue("repositories", out var repos)
            ? JsonSerializer.Serialize(repos.EnumerateArray().Select(r => r.GetProperty("full_name").GetString()))
            : null;
        await using (var connection = await database.OpenAsync(cancellationToken))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                INSERT INTO installations (installation_id, account, last_action, repositories, updated_at)
                VALUES ($id, $account, $action, $repositories, $now)
                ON CONFLICT (installation_id) DO UPDATE SET account = $account, last_action = $action,
                    repositories = COALESCE($repositories, installations.repositories), updated_at = $now
                """;
            command.Bind("$id", e.Installation.Id);
            command.Bind("$account", account);
            command.Bind("$action", e.Action ?? "unknown");
            command.Bind("$repositories", (object?)repositories ?? DBNull.Value);
            command.Bind("$now", clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await audit.RecordAsync(AuditKinds.InstallationChanged, null, account, new { installation = e.Installation.Id, action = e.Action }, cancellationToken);
        return DeliveryOutcome.Handled($"installation {e.Installation.Id} {e.Action}");
    }
}
