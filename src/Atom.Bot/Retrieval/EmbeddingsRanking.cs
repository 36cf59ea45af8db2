namespace Atom.Bot.Retrieval;

/// <summary>Paths ranked by similarity to a query, best first, and how many file chunks had to be embedded for it; or why not.</summary>
public sealed record EmbeddingsRanking(IReadOnlyList<string>? Paths, int ChunksEmbedded, string? Error)
{
    public bool IsOk => Paths is not null;
}
