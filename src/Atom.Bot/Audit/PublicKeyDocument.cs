using System.Text.Json.Nodes;

namespace Atom.Bot.Audit;

/// <summary>What <c>GET /audit/public-key</c> serves and <c>atom audit public-key --json</c> prints.</summary>
internal static class PublicKeyDocument
{
    public static async Task<JsonObject> BuildAsync(AuditLog log, IReceiptSigner signer, CancellationToken cancellationToken)
    {
        var keys = await log.KeysAsync(cancellationToken);
        var auditKeys = keys.Where(k => k.Role == AuditKey.AuditRole).ToList();
        var current = auditKeys.LastOrDefault();
        var tpm = TrustedHardware.FindTpm();
        return new JsonObject
        {
            ["algorithm"] = current?.Algorithm,
            ["key_id"] = current?.KeyId,
            ["public_key"] = current?.PublicKey,
            ["keys"] = new JsonArray(auditKeys.Select(k => (JsonNode)new JsonObject
            {
                ["key_id"] = k.KeyId,
                ["algorithm"] = k.Algorithm,
                ["public_key"] = k.PublicKey,
                ["announced_at"] = k.AnnouncedAt,
                ["retired_at"] = k.RetiredAt,
            }).ToArray()),
            ["receipt_signer"] = new JsonObject
            {
                ["signer"] = signer.Signer,
                ["algorithm"] = signer.Algorithm,
                ["key_id"] = signer.KeyId,
                ["public_key"] = Convert.ToBase64String(signer.PublicKey.Span),
                ["tpm_device"] = tpm,
                ["hardware"] = TrustedHardware.Describe(signer, tpm),
            },
        };
    }
}
