using NSec.Cryptography;

namespace Atom.Bot.Audit;

/// <summary>An Ed25519 private key kept in a file readable by its owner only (mode 0600); never logged.</summary>
internal sealed class SigningKey : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly Key _key;

    private SigningKey(Key key)
    {
        _key = key;
        PublicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        KeyId = Signatures.KeyId(PublicKey);
    }

    public string KeyId { get; }

    public byte[] PublicKey { get; }

    public string PublicKeyBase64 => Convert.ToBase64String(PublicKey);

    /// <summary>Creates a new key and writes it to <paramref name="path"/>, which must not exist; the file is 0600 from its first byte.</summary>
    public static SigningKey Create(string path)
    {
        var key = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        try
        {
            var blob = key.Export(KeyBlobFormat.RawPrivateKey);
            var file = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                file.UnixCreateMode = OwnerOnly;
            }

            using (var stream = new FileStream(path, file))
            {
                stream.Write(blob);
                stream.Flush(flushToDisk: true);
            }

            Array.Clear(blob);
            return new SigningKey(key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    public static SigningKey Load(string path)
    {
        var blob = File.ReadAllBytes(path);
        try
        {
            return new SigningKey(Key.Import(SignatureAlgorithm.Ed25519, blob, KeyBlobFormat.RawPrivateKey));
        }
        finally
        {
            Array.Clear(blob);
        }
    }

    public byte[] Sign(ReadOnlySpan<byte> data) => SignatureAlgorithm.Ed25519.Sign(_key, data);

    /// <summary>Creates the directory that holds key files, readable by its owner only.</summary>
    public static void EnsureDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
            return;
        }

        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public void Dispose() => _key.Dispose();
}
