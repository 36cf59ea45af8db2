namespace Atom.Bot.Audit;

/// <summary>
/// The verified entries one instance wrote: how many, its first and last sequence. <see cref="Id"/> is null for the
/// entries written before instances were recorded.
/// </summary>
public sealed record AuditInstance(string? Id, long Entries, long FirstSequence, long LastSequence)
{
    /// <summary>How <c>atom audit verify</c> names it.</summary>
    public string Name => Id ?? "(not recorded)";
}
