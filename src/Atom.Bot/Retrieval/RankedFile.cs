namespace Atom.Bot.Retrieval;

/// <summary>One file of a ranking: its 1-based rank, its path, its blob id, and the outline of its definitions.</summary>
public sealed record RankedFile(int Rank, string Path, string Blob, IReadOnlyList<OutlineEntry> Outline);
