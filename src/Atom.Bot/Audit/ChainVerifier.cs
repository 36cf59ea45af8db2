using System.Text.Json;

namespace Atom.Bot.Audit;

/// <summary>
/// Checks a chain entry by entry, in order: sequence continuity, payload digest, hash, link, key in force, signature;
/// then the signed head (truncation) and every receipt (hash, announced signer, signature, the entry that ordered
/// it, the entry that recorded it). Stops at the first break.
/// </summary>
internal sealed class ChainVerifier
{
    private readonly IReadOnlyList<ExecutionReceipt> _receipts;
    private readonly HashSet<string> _wantedOrders;
    private readonly HashSet<string> _seenOrders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _recordedReceipts = new(StringComparer.Ordinal);
    private readonly string? _expectedFirstKey;
    private readonly List<AuditKey> _keys = [];
    private readonly List<AuditInstance> _instances = [];
    private AuditKey? _current;
    private long _last;
    private string _lastHash = ChainEncoding.GenesisHash;

    /// <param name="receipts">The receipts to check once the entries are done.</param>
    /// <param name="expectedFirstKey">Base64 public key the chain must start with (pinned out of band), or null to trust the first entry.</param>
    public ChainVerifier(IReadOnlyList<ExecutionReceipt> receipts, string? expectedFirstKey)
    {
        _receipts = receipts;
        _wantedOrders = receipts.Select(r => r.OrderedBy).ToHashSet(StringComparer.Ordinal);
        _expectedFirstKey = expectedFirstKey;
    }

    public long Entries { get; private set; }

    public long Receipts { get; private set; }

    public AuditBreak? Break { get; private set; }

    public IReadOnlyList<AuditKey> Keys => _keys;

    /// <summary>Checks the next entry; returns the break (this one or an earlier one), or null.</summary>
    public AuditBreak? Add(AuditEntry entry)
    {
        Break ??= Check(entry);
        return Break;
    }

    /// <summary>Checks the signed head against the last entry, then the receipts.</summary>
    public AuditBreak? Finish(AuditHead? head)
    {
        Break ??= CheckHead(head) ?? CheckReceipts();
        return Break;
    }

    public AuditVerification Result(AuditHead? head) => new(Entries, Receipts, head, _keys.ToList(), Break, _instances.ToList());

    private AuditBreak? Check(AuditEntry e)
    {
        var expected = _last + 1;
        if (e.Sequence != expected)
        {
            return e.Sequence > expected
                ? AuditBreak.AtEntry(expected, _last == 0
                    ? $"entry {expected} is missing: the chain starts at entry {e.Sequence}"
                    : $"entry {expected} is missing: entry {_last} is followed by entry {e.Sequence}")
                : AuditBreak.AtEntry(e.Sequence, $"entry {e.Sequence} is out of order: it comes after entry {_last}");
        }

        if (e.Payload is not null && Hashing.Sha256(e.Payload) != e.PayloadSha256)
        {
            return AuditBreak.AtEntry(e.Sequence, "the payload does not match its SHA-256");
        }

        var digest = ChainEncoding.EntryDigest(e);
        var computed = Convert.ToHexStringLower(digest);
        if (computed != e.Hash)
        {
            return AuditBreak.AtEntry(e.Sequence, $"hash mismatch: stored {Short(e.Hash)}, computed {Short(computed)} from the entry's fields (the entry was altered)");
        }

        if (e.PreviousHash != _lastHash)
        {
            return AuditBreak.AtEntry(e.Sequence, _last == 0
                ? "broken link: the first entry's previous hash must be all zeros"
                : $"broken link: previous hash {Short(e.PreviousHash)}, but entry {_last}'s hash is {Short(_lastHash)}");
        }

        if (e.Sequence == 1 && StartChain(e) is { } startProblem)
        {
            return startProblem;
        }

        if (e.KeyId != _current!.KeyId)
        {
            var retired = _keys.FirstOrDefault(k => k.Role == AuditKey.AuditRole && k.KeyId == e.KeyId);
            return AuditBreak.AtEntry(e.Sequence, retired is not null
                ? $"signed by key {e.KeyId}, retired at entry {retired.RetiredAt}; the key in force is {_current.KeyId}"
                : $"signed by key {e.KeyId}, which the chain never announced; the key in force is {_current.KeyId}");
        }

        if (!Verifies(_current, digest, e.Signature))
        {
            return AuditBreak.AtEntry(e.Sequence, $"the signature does not verify with key {_current.KeyId}");
        }

        if (Apply(e) is { } effectProblem)
        {
            return effectProblem;
        }

        if (_wantedOrders.Contains(e.Hash))
        {
            _seenOrders.Add(e.Hash);
        }

        _last = e.Sequence;
        _lastHash = e.Hash;
        Entries++;
        Count(e);
        return null;
    }

    /// <summary>Counts a verified entry for the instance that wrote it (the hash covers the instance, so the count is verified too).</summary>
    private void Count(AuditEntry e)
    {
        var index = _instances.FindIndex(i => i.Id == e.Instance);
        if (index < 0)
        {
            _instances.Add(new AuditInstance(e.Instance, 1, e.Sequence, e.Sequence));
        }
        else
        {
            _instances[index] = _instances[index] with { Entries = _instances[index].Entries + 1, LastSequence = e.Sequence };
        }
    }

    private AuditBreak? StartChain(AuditEntry e)
    {
        if (e.Kind != AuditKinds.ChainStarted)
        {
            return AuditBreak.AtEntry(1, $"the first entry must be {AuditKinds.ChainStarted}, not {e.Kind}");
        }

        var key = AuditKey.FromAnnouncement(e);
        if (ValidateKey(key, e, Signatures.Ed25519) is { } problem)
        {
            return problem;
        }

        if (_expectedFirstKey is not null && key!.PublicKey != _expectedFirstKey)
        {
            return AuditBreak.AtEntry(1, $"the chain starts with key {key.KeyId}, not the expected key {KeyIdOf(_expectedFirstKey)}");
        }

        _current = key;
        _keys.Add(key!);
        return null;
    }

    /// <summary>What a verified entry changes: the key in force, the receipt signers, the receipts expected.</summary>
    private AuditBreak? Apply(AuditEntry e)
    {
        switch (e.Kind)
        {
            case AuditKinds.KeyRotated:
                var next = AuditKey.FromAnnouncement(e);
                if (ValidateKey(next, e, Signatures.Ed25519) is { } rotationProblem)
                {
                    return rotationProblem;
                }

                _keys[_keys.IndexOf(_current!)] = _current! with { RetiredAt = e.Sequence };
                _current = next;
                _keys.Add(next!);
                break;
            case AuditKinds.ReceiptSignerAnnounced:
                var signer = AuditKey.FromAnnouncement(e);
                if (ValidateKey(signer, e, signer?.Algorithm ?? "") is { } signerProblem)
                {
                    return signerProblem;
                }

                _keys.Add(signer!);
                break;
            case AuditKinds.ReceiptRecorded when e.Payload is not null:
                if (ReceiptHash(e.Payload) is not { } receiptHash)
                {
                    return AuditBreak.AtEntry(e.Sequence, "the receipt.recorded payload names no receipt_hash");
                }

                _recordedReceipts[receiptHash] = e.Sequence;
                break;
        }

        return null;
    }

    private static AuditBreak? ValidateKey(AuditKey? key, AuditEntry e, string algorithm)
    {
        if (key is null)
        {
            return AuditBreak.AtEntry(e.Sequence, $"{e.Kind} without a readable key (its payload is missing or malformed)");
        }

        if (key.Algorithm != algorithm || !Signatures.IsSupported(algorithm))
        {
            return AuditBreak.AtEntry(e.Sequence, $"{e.Kind} announces an unsupported algorithm '{key.Algorithm}'");
        }

        return Signatures.FromBase64(key.PublicKey) is { } bytes && Signatures.KeyId(bytes) == key.KeyId
            ? null
            : AuditBreak.AtEntry(e.Sequence, $"{e.Kind} announces key id {key.KeyId}, which is not the id of its public key");
    }

    private AuditBreak? CheckHead(AuditHead? head)
    {
        if (head is null)
        {
            return _last == 0 ? null : new AuditBreak("signed head", null, "there is no signed head, so truncation cannot be ruled out");
        }

        if (head.Sequence > _last)
        {
            return AuditBreak.AtEntry(_last + 1,
                $"entries {_last + 1}..{head.Sequence} are missing: the signed head is at entry {head.Sequence}, the chain ends at entry {_last} (truncated)");
        }

        if (head.Sequence < _last)
        {
            return AuditBreak.AtEntry(head.Sequence + 1, $"entry {head.Sequence + 1} lies beyond the signed head (entry {head.Sequence}): it was appended without the key");
        }

        if (head.Hash != _lastHash)
        {
            return new AuditBreak("signed head", head.Sequence, $"the head names hash {Short(head.Hash)} for entry {head.Sequence}, whose hash is {Short(_lastHash)}");
        }

        if (head.KeyId != _current?.KeyId)
        {
            return new AuditBreak("signed head", head.Sequence, $"the head is signed by key {head.KeyId}, but the key in force is {_current?.KeyId}");
        }

        return Verifies(_current, ChainEncoding.HeadDigest(head.Sequence, head.Hash, head.KeyId), head.Signature)
            ? null
            : new AuditBreak("signed head", head.Sequence, $"the head's signature does not verify with key {head.KeyId}");
    }

    private AuditBreak? CheckReceipts()
    {
        foreach (var r in _receipts)
        {
            var where = $"receipt {r.Id}";
            var digest = ChainEncoding.ReceiptDigest(r);
            var computed = Convert.ToHexStringLower(digest);
            if (computed != r.Hash)
            {
                return new AuditBreak(where, null, $"hash mismatch: stored {Short(r.Hash)}, computed {Short(computed)} (the receipt was altered)");
            }

            var key = _keys.FirstOrDefault(k => k.Role == AuditKey.ReceiptRole && k.KeyId == r.KeyId && k.Algorithm == r.Algorithm);
            if (key is null)
            {
                return new AuditBreak(where, null, $"signed by receipt key {r.KeyId} ({r.Algorithm}), which the chain never announced");
            }

            if (!Verifies(key, digest, r.Signature))
            {
                return new AuditBreak(where, null, $"the signature does not verify with receipt key {r.KeyId}");
            }

            if (!_seenOrders.Contains(r.OrderedBy))
            {
                return new AuditBreak(where, null, $"ordered by {Short(r.OrderedBy)}, which is not an entry of this chain");
            }

            if (!_recordedReceipts.Remove(r.Hash))
            {
                return new AuditBreak(where, null, "no receipt.recorded entry names this receipt (it was slipped in)");
            }

            Receipts++;
        }

        return _recordedReceipts.Count == 0
            ? null
            : _recordedReceipts.OrderBy(p => p.Value).Select(p => AuditBreak.AtEntry(p.Value, $"records receipt {Short(p.Key)}, which is missing")).First();
    }

    private static bool Verifies(AuditKey key, byte[] digest, string signature) =>
        Signatures.FromBase64(key.PublicKey) is { } publicKey
        && Signatures.FromBase64(signature) is { } bytes
        && Signatures.Verify(key.Algorithm, publicKey, digest, bytes);

    private static string? ReceiptHash(string payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            return document.RootElement.TryGetProperty("receipt_hash", out var hash) && hash.ValueKind == JsonValueKind.String ? hash.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string KeyIdOf(string publicKeyBase64) =>
        Signatures.FromBase64(publicKeyBase64) is { } bytes ? Signatures.KeyId(bytes) : "(not base64)";

    private static string Short(string hash) => hash.Length > 16 ? hash[..16] + "…" : hash;
}
