using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Atom.Bot.Audit;

/// <summary>
/// The exact bytes that are hashed and signed (docs/audit.md, "Encoding"): a domain tag and the fields, each as
/// UTF-8 preceded by its byte length as a 4-byte big-endian integer, so that no two field lists encode alike.
/// </summary>
internal static class ChainEncoding
{
    public const string EntryTag = "atom.audit.entry.v1";

    /// <summary>An entry that names the instance that wrote it: the v1 fields, then the instance.</summary>
    public const string EntryTagWithInstance = "atom.audit.entry.v2";
    public const string HeadTag = "atom.audit.head.v1";
    public const string ReceiptTag = "atom.audit.receipt.v1";

    /// <summary>The previous hash of the first entry.</summary>
    public static readonly string GenesisHash = new('0', 64);

    public static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    /// <summary>Reads a stored time; an unreadable one becomes <see cref="DateTimeOffset.MinValue"/>, which then fails its hash check.</summary>
    public static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time) ? time : DateTimeOffset.MinValue;

    public static string Number(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    /// <summary>
    /// An entry without an instance (written before migration 0011) is encoded as v1, exactly as it was signed; one with
    /// an instance as v2, whose own tag keeps it from ever encoding like a v1 entry.
    /// </summary>
    public static byte[] EntryDigest(long sequence, DateTimeOffset time, long? taskId, string kind, string actor, string payloadSha256, string previousHash, string keyId, string? instance) =>
        SHA256.HashData(instance is null
            ? Fields(EntryTag, Number(sequence), Time(time), Number(taskId), kind, actor, payloadSha256, previousHash, keyId)
            : Fields(EntryTagWithInstance, Number(sequence), Time(time), Number(taskId), kind, actor, payloadSha256, previousHash, keyId, instance));

    public static byte[] EntryDigest(AuditEntry e) =>
        EntryDigest(e.Sequence, e.Time, e.TaskId, e.Kind, e.Actor, e.PayloadSha256, e.PreviousHash, e.KeyId, e.Instance);

    public static byte[] HeadDigest(long sequence, string hash, string keyId) =>
        SHA256.HashData(Fields(HeadTag, Number(sequence), hash, keyId));

    public static byte[] ReceiptDigest(DateTimeOffset time, string kind, long? taskId, string factsSha256, string orderedBy, string keyId, string algorithm) =>
        SHA256.HashData(Fields(ReceiptTag, Time(time), kind, Number(taskId), factsSha256, orderedBy, keyId, algorithm));

    public static byte[] ReceiptDigest(ExecutionReceipt r) =>
        ReceiptDigest(r.Time, r.Kind, r.TaskId, Hashing.Sha256(r.Facts), r.OrderedBy, r.KeyId, r.Algorithm);

    public static byte[] Fields(params ReadOnlySpan<string> fields)
    {
        var length = 0;
        foreach (var field in fields)
        {
            length += 4 + Encoding.UTF8.GetByteCount(field);
        }

        var buffer = new byte[length];
        var offset = 0;
        foreach (var field in fields)
        {
            var written = Encoding.UTF8.GetBytes(field, buffer.AsSpan(offset + 4));
            BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(offset), (uint)written);
            offset += 4 + written;
        }

        return buffer;
    }

    /// <summary>DSSE's pre-authentication encoding: <c>"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body</c>.</summary>
    public static byte[] Pae(string payloadType, ReadOnlySpan<byte> body)
    {
        var type = Encoding.UTF8.GetBytes(payloadType);
        var prefix = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"DSSEv1 {type.Length} {payloadType} {body.Length} "));
        var result = new byte[prefix.Length + body.Length];
        prefix.CopyTo(result, 0);
        body.CopyTo(result.AsSpan(prefix.Length));
        return result;
    }
}
