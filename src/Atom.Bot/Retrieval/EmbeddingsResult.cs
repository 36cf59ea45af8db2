namespace Atom.Bot.Retrieval;

/// <summary>The vectors of an embeddings request in the order of its inputs, or why there are none.</summary>
public sealed record EmbeddingsResult(IReadOnlyList<float[]>? Vectors, string? Error)
{
    public bool IsOk => Vectors is not null;

    public static EmbeddingsResult Failed(string error) => new(null, error);
}
