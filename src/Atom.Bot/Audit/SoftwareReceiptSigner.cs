
namespace Atom.Bot.Audit;

/// <summary>The default receipt signer: an Ed25519 key of its own in <c>ATOM_DATA_DIR/keys/receipt.key</c> (0600).</summary>
public sealed class SoftwareReceiptSigner : IReceiptSigner, IDisposable
{
    public const string Name = "software-ed25519";
    private readonly SigningKey _key;

    public SoftwareReceiptSigner(AuditOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var directory = options.KeyDirectory;
        SigningKey.EnsureDirectory(directory);
        KeyPath = Path.Combine(directory, "receipt.key");
        try
        {
            _key = SigningKey.Create(KeyPath);
        }
        catch (IOException) when (File.Exists(KeyPath))
        {
            _key = SigningKey.Load(KeyPath);
        }
    }

    public string KeyPath { get; }

    public string Signer => Name;

    public string Algorithm => Signatures.Ed25519;

    public string KeyId => _key.KeyId;

    public ReadOnlyMemory<byte> PublicKey => _key.PublicKey;

    public ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> digest, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_key.Sign(digest.Span));

    public void Dispose() => _key.Dispose();
}
