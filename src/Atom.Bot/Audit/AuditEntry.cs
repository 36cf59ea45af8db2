namespace Atom.Bot.Audit;

/// <summary>
/// One signed semantic log entry. <see cref="Hash"/> is SHA-256 over all other fields (the payload by its SHA-256,
/// see <c>ChainEncoding</c>); <see cref="Signature"/> is Ed25519 over that hash by <see cref="KeyId"/>.
/// In an export, entries of other tasks are elided: <see cref="Payload"/> is null and only its SHA-256 remains.
/// <see cref="Instance"/> is the service instance that wrote it (<c>InstanceRegistry.Id</c>), or null for entries written
/// before instances were recorded (migration 0011), which are hashed without it.
/// </summary>
public sealed record AuditEntry(
    long Sequence,
    DateTimeOffset Time,
    long? TaskId,
    string Kind,
    string Actor,
    string? Payload,
    string PayloadSha256,
    string PreviousHash,
    string Hash,
    string Signature,
    string KeyId,
    string? Instance);
