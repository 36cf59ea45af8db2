using Atom.Bot.Configuration;

namespace Atom.Bot.Audit;

/// <summary>
/// What the audit key holders need of the configuration: the directory their key files live in. A slice of
/// <see cref="AtomOptions"/>, so they cannot reach the secrets they have no use for.
/// </summary>
public sealed record AuditOptions
{
    /// <summary><c>ATOM_DATA_DIR/keys</c>: the audit key (<c>audit.key</c>) and the receipt key (<c>receipt.key</c>).</summary>
    public required string KeyDirectory { get; init; }

    public static AuditOptions From(AtomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new AuditOptions { KeyDirectory = Path.Combine(options.DataDir, "keys") };
    }
}
