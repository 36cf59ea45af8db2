namespace Atom.Bot.Audit;

/// <summary>
/// Signs execution receipts, apart from the audit log's key: the extension point for hardware keys (TPM 2.0,
/// Secure Enclave), described in docs/audit.md. The chain announces the signer's public key before its first receipt.
/// </summary>
public interface IReceiptSigner
{
    /// <summary>What holds the key: <c>software-ed25519</c>, or e.g. <c>tpm2</c>, <c>secure-enclave</c>.</summary>
    string Signer { get; }

    /// <summary><c>Ed25519</c> (raw 32-byte public key) or <c>ECDSA-P256-SHA256</c> (SubjectPublicKeyInfo DER, r||s signatures).</summary>
    string Algorithm { get; }

    string KeyId { get; }

    ReadOnlyMemory<byte> PublicKey { get; }

    /// <summary>Signs a receipt's 32-byte SHA-256 digest.</summary>
    ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> digest, CancellationToken cancellationToken);
}
