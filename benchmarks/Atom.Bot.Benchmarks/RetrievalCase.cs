using System.Text.Json.Serialization;

namespace Atom.Bot.Benchmarks;

/// <summary>
/// One labelled case of the retrieval benchmark: a past commit, its parent (the tree searched), its subject (the query,
/// issue-like prose) and the files under src/ it changed or deleted (the relevant set: files that existed to be found).
/// </summary>
public sealed record RetrievalCase(
    [property: JsonPropertyName("sha")] string Sha,
    [property: JsonPropertyName("parent")] string Parent,
    [property: JsonPropertyName("query")] string Query,
    [property: JsonPropertyName("files")] IReadOnlyList<string> Files);
