namespace Atom.Bot.Git;

/// <summary>
/// The SSH key Atom signs commits with: where its private half is (never read by anything but <c>ssh-keygen</c>), the
/// public key to register on the bot account as a signing key, and its fingerprint (<c>SHA256:…</c>), which receipts record.
/// </summary>
public sealed record SshSigningKey(string PrivateKeyPath, string PublicKey, string Fingerprint);
