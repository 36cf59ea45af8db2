using System.Security.Cryptography;
using NSec.Cryptography;

namespace Atom.Bot.Audit;

/// <summary>Signature verification for every algorithm a chain may contain, and key ids.</summary>
internal static class Signatures
{
    public const string Ed25519 = "Ed25519";

    /// <summary>What TPM 2.0 and the Secure Enclave offer (neither does Ed25519): public key as SubjectPublicKeyInfo DER, signature r||s.</summary>
    public const string EcdsaP256 = "ECDSA-P256-SHA256";

    /// <summary>A key id: the first 16 hex digits of the SHA-256 of the public key as published.</summary>
    public static string KeyId(ReadOnlySpan<byte> publicKey) => Hashing.Sha256(publicKey)[..16];

    public static bool IsSupported(string algorithm) => algorithm is Ed25519 or EcdsaP256;

    /// <summary>Verifies a signature over a SHA-256 digest; false for anything malformed.</summary>
    public static bool Verify(string algorithm, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        switch (algorithm)
        {
            case Ed25519:
                return PublicKey.TryImport(SignatureAlgorithm.Ed25519, publicKey, KeyBlobFormat.RawPublicKey, out var key)
                    && SignatureAlgorithm.Ed25519.Verify(key!, data, signature);
            case EcdsaP256:
                try
                {
                    using var ecdsa = ECDsa.Create();
                    ecdsa.ImportSubjectPublicKeyInfo(publicKey, out _);
                    return ecdsa.KeySize == 256 && ecdsa.VerifyHash(data, signature);
                }
                catch (CryptographicException)
                {
                    return false;
                }

            default:
                return false;
        }
    }

    public static byte[]? FromBase64(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var written) ? buffer[..written] : null;
    }
}
