using Atom.Bot.Configuration;

namespace Atom.Bot.Retrieval;

/// <summary>
/// The part of <see cref="AtomOptions"/> retrieval needs: where indexes and embeddings live, the prompt budget, and the
/// embeddings endpoint when one is configured.
/// </summary>
public sealed record RetrievalOptions
{
    /// <summary>The share of <c>ATOM_LLM_CONTEXT_TOKENS</c> a prompt's relevant files may take: one eighth.</summary>
    public const int ContextShare = 8;

    /// <summary>How many files a ranking holds.</summary>
    public const int RankedFiles = 10;

    /// <summary>How many definitions each ranked file's outline holds at most.</summary>
    public const int OutlineEntries = 20;

    /// <summary><c>ATOM_DATA_DIR/retrieval</c>: one index per repository and the embeddings cache.</summary>
    public required string Directory { get; init; }

    public required int ContextTokens { get; init; }

    public Uri? EmbeddingsBaseUrl { get; init; }

    public string? EmbeddingsModel { get; init; }

    public string? EmbeddingsApiKey { get; init; }

    /// <summary>The first wait before asking the embeddings endpoint again after a 429 or 5xx (doubled each time; a Retry-After header wins).</summary>
    public TimeSpan EmbeddingsRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The prompt budget in characters: the context share in tokens, at four characters a token as elsewhere.</summary>
    public int BudgetCharacters => ContextTokens / ContextShare * 4;

    public bool HasEmbeddings => EmbeddingsBaseUrl is not null && !string.IsNullOrEmpty(EmbeddingsModel);

    // The record's generated ToString would print the API key; a logged or interpolated slice must not.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Directory = ").Append(Directory)
            .Append(", ContextTokens = ").Append(ContextTokens)
            .Append(", EmbeddingsBaseUrl = ").Append(EmbeddingsBaseUrl?.ToString() ?? "(none)")
            .Append(", EmbeddingsModel = ").Append(EmbeddingsModel ?? "(none)")
            .Append(", EmbeddingsApiKey = ").Append(EmbeddingsApiKey is null ? "(none)" : "***")
            .Append(", EmbeddingsRetryDelay = ").Append(EmbeddingsRetryDelay);
        return true;
    }

    public static RetrievalOptions From(AtomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new RetrievalOptions
        {
            Directory = Path.Combine(options.DataDir, "retrieval"),
            ContextTokens = options.LlmContextTokens,
            EmbeddingsBaseUrl = options.EmbeddingsBaseUrl,
            EmbeddingsModel = options.EmbeddingsModel,
            EmbeddingsApiKey = options.EmbeddingsApiKey,
        };
    }
}
