namespace Atom.Bot.Audit;

/// <summary>
/// A signed record of what actually ran. <see cref="Facts"/> is the canonical JSON of the <see cref="ReceiptFacts"/>;
/// <see cref="OrderedBy"/> is the hash of the semantic entry that ordered the work; <see cref="Hash"/> covers every
/// field; <see cref="Signature"/> is by the receipt signer (<see cref="Signer"/>, <see cref="Algorithm"/>, <see cref="KeyId"/>).
/// </summary>
public sealed record ExecutionReceipt(
    long Id,
    DateTimeOffset Time,
    string Kind,
    long? TaskId,
    string Facts,
    string OrderedBy,
    string Hash,
    string Signature,
    string KeyId,
    string Algorithm,
    string Signer);
