namespace Atom.Bot.Retrieval;

/// <summary>One definition of a file's outline: its 1-based line and the signature as written, shortened.</summary>
public sealed record OutlineEntry(int Line, string Signature);
