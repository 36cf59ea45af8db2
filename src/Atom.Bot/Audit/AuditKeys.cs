using Microsoft.Extensions.Logging.Abstractions;

namespace Atom.Bot.Audit;

/// <summary>
/// The audit log's signing key in <c>ATOM_DATA_DIR/keys/audit.key</c> (Ed25519, mode 0600). A rotation writes the
/// new key to <c>audit.next.key</c>, announces it in the chain, then renames it over the old one; whichever
/// process next signs notices the chain's key changed and reloads (or finishes an interrupted rename).
/// </summary>
public sealed class AuditKeys : IDisposable
{
    /// <summary>Why a key can be missing or another when several instances share a database (docs/operations.md).</summary>
    private const string SharedKeyNote =
        "Instances that share a database sign one chain with one key: each must mount the same keys directory as the others, " +
        "not a copy, which misses rotations (docs/operations.md).";

    private readonly Lock _lock = new();
    private readonly List<SigningKey> _loaded = [];
    private readonly ILogger _logger;
    private SigningKey? _current;

    public AuditKeys(AuditOptions options, ILogger<AuditKeys>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        KeyDirectory = options.KeyDirectory;
        _logger = logger ?? NullLogger<AuditKeys>.Instance;
    }

    public string KeyDirectory { get; }

    public string CurrentPath => Path.Combine(KeyDirectory, "audit.key");

    private string NextPath => Path.Combine(KeyDirectory, "audit.next.key");

    /// <summary>The key file, created on first use (first start).</summary>
    internal SigningKey EnsureCreated()
    {
        lock (_lock)
        {
            if (_current is not null)
            {
                return _current;
            }

            SigningKey.EnsureDirectory(KeyDirectory);
            if (File.Exists(CurrentPath))
            {
                return _current = Track(SigningKey.Load(CurrentPath));
            }

            _current = Track(SigningKey.Create(CurrentPath));
            Log.KeyCreated(_logger, _current.KeyId, CurrentPath);
            return _current;
        }
    }

    /// <summary>The key the chain says is in force; reloads when another process rotated it.</summary>
    internal SigningKey Current(string keyId)
    {
        lock (_lock)
        {
            if (_current?.KeyId == keyId)
            {
                return _current;
            }

            if (!File.Exists(CurrentPath))
            {
                throw new InvalidOperationException(
                    $"The audit chain is signed by key {keyId}, but {CurrentPath} does not exist. Restore the keys directory from a backup. {SharedKeyNote}");
            }

            var onDisk = Track(SigningKey.Load(CurrentPath));
            if (onDisk.KeyId != keyId && File.Exists(NextPath))
            {
                // A rotation was recorded but its rename did not happen (or is happening in another process).
                var next = Track(SigningKey.Load(NextPath));
                if (next.KeyId == keyId)
                {
                    TryPromote();
                    onDisk = next;
                }
            }

            if (onDisk.KeyId != keyId)
            {
                throw new InvalidOperationException(
                    $"The audit chain is signed by key {keyId}, but {CurrentPath} holds key {onDisk.KeyId}. Restore the keys directory that belongs to this database. {SharedKeyNote}");
            }

            return _current = onDisk;
        }
    }

    /// <summary>Writes a fresh key to <c>audit.next.key</c> (replacing a leftover from an interrupted rotation).</summary>
    internal SigningKey CreateNext()
    {
        lock (_lock)
        {
            SigningKey.EnsureDirectory(KeyDirectory);
            File.Delete(NextPath);
            return Track(SigningKey.Create(NextPath));
        }
    }

    /// <summary>After the rotation entry is committed: the next key becomes the key; the old one is destroyed.</summary>
    internal void Promote(SigningKey next)
    {
        lock (_lock)
        {
            TryPromote();
            _current = next;
        }
    }

    private void TryPromote()
    {
        try
        {
            File.Move(NextPath, CurrentPath, overwrite: true);
        }
        catch (FileNotFoundException)
        {
            // Another process finished the rename first.
        }
    }

    private SigningKey Track(SigningKey key)
    {
        _loaded.Add(key);
        return key;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var key in _loaded)
            {
                key.Dispose();
            }

            _loaded.Clear();
            _current = null;
        }
    }
}
