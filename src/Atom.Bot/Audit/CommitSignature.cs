namespace Atom.Bot.Audit;

/// <summary>
/// How a commit was made verifiable, for its receipt: <see cref="Method"/> <c>api</c> (made by GitHub through the Git
/// Data API; <see cref="Verified"/> and <see cref="Reason"/> are GitHub's <c>verification</c> fields), <c>ssh</c> (signed
/// with Atom's SSH key; <see cref="KeyFingerprint"/> is its <c>SHA256:…</c> fingerprint) or <c>none</c>.
/// </summary>
public sealed record CommitSignature(string Method, bool? Verified = null, string? Reason = null, string? KeyFingerprint = null)
{
    internal object ToPayload() => new { method = Method, verified = Verified, reason = Reason, key_fingerprint = KeyFingerprint };
}
