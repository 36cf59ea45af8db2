namespace Atom.Bot.Retrieval;

/// <summary>A file as the index holds it: its path, its blob id at the indexed commit, and whether its text was indexed.</summary>
public sealed record IndexedFile(string Path, string Blob, bool IsText);
