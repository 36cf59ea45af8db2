namespace Atom.Bot.Audit;

/// <summary>Audit logging: key ids and file paths only, never key material.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Audit signing key {KeyId} created at {Path}")]
    public static partial void KeyCreated(ILogger logger, string keyId, string path);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Audit chain started, signed by key {KeyId}")]
    public static partial void ChainStarted(ILogger logger, string keyId);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Audit signing key rotated from {OldKeyId} to {NewKeyId} (entry {Sequence})")]
    public static partial void KeyRotated(ILogger logger, string oldKeyId, string newKeyId, long sequence);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "Audit log signed by key {KeyId}; receipt signer {Signer} key {ReceiptKeyId}: {Hardware}")]
    public static partial void Ready(ILogger logger, string keyId, string signer, string receiptKeyId, string hardware);
}
