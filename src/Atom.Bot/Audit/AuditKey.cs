namespace Atom.Bot.Audit;

/// <summary>
/// A public key announced in the chain: an audit key (by <c>audit.chain_started</c> or <c>audit.key_rotated</c>) or
/// a receipt signer's key. <see cref="PublicKey"/> is base64; <see cref="RetiredAt"/> is the rotation entry that replaced it.
/// </summary>
public sealed record AuditKey(string Role, string KeyId, string Algorithm, string PublicKey, long AnnouncedAt, long? RetiredAt = null)
{
    public const string AuditRole = "audit";
    public const string ReceiptRole = "receipt";

    /// <summary>The key an announcement entry introduces; null when the entry announces none or its payload is malformed.</summary>
    internal static AuditKey? FromAnnouncement(AuditEntry entry)
    {
        var role = entry.Kind switch
        {
            AuditKinds.ChainStarted or AuditKinds.KeyRotated => AuditRole,
            AuditKinds.ReceiptSignerAnnounced => ReceiptRole,
            _ => null,
        };
        if (role is null || entry.Payload is null)
        {
            return null;
        }

        try
        {
            using var payload = System.Text.Json.JsonDocument.Parse(entry.Payload);
            var root = payload.RootElement;
            return root.TryGetProperty("key_id", out var id) && root.TryGetProperty("algorithm", out var algorithm) && root.TryGetProperty("public_key", out var key)
                ? new AuditKey(role, id.GetString() ?? "", algorithm.GetString() ?? "", key.GetString() ?? "", entry.Sequence)
                : null;
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
