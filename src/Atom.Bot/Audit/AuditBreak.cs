namespace Atom.Bot.Audit;

/// <summary>
/// The first thing verification found wrong: where (<c>entry 12</c>, <c>receipt 3</c>, <c>signed head</c>,
/// <c>export line 7</c>), the entry's sequence when there is one, and why.
/// </summary>
public sealed record AuditBreak(string Where, long? Sequence, string Reason)
{
    public static AuditBreak AtEntry(long sequence, string reason) => new($"entry {sequence}", sequence, reason);

    public override string ToString() => $"{Where}: {Reason}";
}
