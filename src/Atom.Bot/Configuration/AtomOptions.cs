namespace Atom.Bot.Configuration;

/// <summary>The service's effective settings (environment &gt; ./.atom.yml &gt; ~/.atom/config.yml &gt; defaults).</summary>
public sealed record AtomOptions
{
    public required string WebhookSecret { get; init; }
    public required Uri GitHubApiUrl { get; init; }
    public string? GitHubToken { get; init; }
    public long? GitHubAppId { get; init; }
    public string? GitHubAppPrivateKeyPath { get; init; }
    public required Uri LlmBaseUrl { get; init; }
    public required string LlmModel { get; init; }
    public string? LlmApiKey { get; init; }
    public required int LlmConcurrency { get; init; }

    /// <summary><c>ATOM_LLM_FALLBACK_MODEL</c>: asked in the main model's place while the platform health API reports level 3.</summary>
    public string? LlmFallbackModel { get; init; }

    /// <summary><c>ATOM_LLM_PRICES</c>: what a million tokens of a model cost, to show usage as money where a price is known.</summary>
    public LlmPrices LlmPrices { get; init; } = LlmPrices.None;
    public required Uri AuditorBaseUrl { get; init; }
    public required string AuditorModel { get; init; }

    /// <summary>
    /// <c>ATOM_AUDITOR2_BASE_URL</c>: the second auditor's server (another model family), asked beside the first; null
    /// when no second auditor is set. Shares <c>ATOM_LLM_API_KEY</c>, as the first auditor does.
    /// </summary>
    public Uri? Auditor2BaseUrl { get; init; }

    /// <summary><c>ATOM_AUDITOR2_MODEL</c>: the second auditor's model; null when no second auditor is set.</summary>
    public string? Auditor2Model { get; init; }
    public required string DataDir { get; init; }
    public required string JobStorage { get; init; }

    /// <summary>
    /// How long an instance may stay silent before its running jobs and assignment claims are taken over by another
    /// (<c>ATOM_JOB_INVISIBILITY_SECONDS</c>); live instances refresh both every fifth of it.
    /// </summary>
    public int JobInvisibilitySeconds { get; init; } = 300;

    /// <summary>Where state lives: null for SQLite in <see cref="DataDir"/>, or a PostgreSQL connection string (<c>ATOM_DATABASE</c>).</summary>
    public string? Database { get; init; }
    public Uri? HealthUrl { get; init; }
    public required int LlmTimeoutSeconds { get; init; }

    /// <summary><c>ATOM_LLM_CONTEXT_TOKENS</c>: the main model's context; a worker's conversation is kept within it.</summary>
    public int LlmContextTokens { get; init; } = 32768;
    public required int WorkerMaxSteps { get; init; }

    /// <summary><c>ATOM_EMBEDDINGS_BASE_URL</c>: an OpenAI-compatible <c>/v1/embeddings</c> server; with it, retrieval ranks by BM25 and embeddings fused.</summary>
    public Uri? EmbeddingsBaseUrl { get; init; }

    /// <summary><c>ATOM_EMBEDDINGS_MODEL</c>: the embeddings model; required with <see cref="EmbeddingsBaseUrl"/>.</summary>
    public string? EmbeddingsModel { get; init; }

    /// <summary><c>ATOM_EMBEDDINGS_API_KEY</c>: the embeddings server's key, if it wants one (a secret).</summary>
    public string? EmbeddingsApiKey { get; init; }
    public required int MaxAssignments { get; init; }
    public required string GitAuthorName { get; init; }
    public required string GitAuthorEmail { get; init; }
    public string? DashboardToken { get; init; }

    /// <summary>Worktrees kept checked out ahead of need per repository (<c>ATOM_WORKTREE_SPARES</c>); 0 turns them off.</summary>
    public int WorktreeSpares { get; init; } = 2;

    /// <summary>How test commands run (<c>ATOM_SANDBOX</c>): in bubblewrap namespaces, or (unsafe) as Atom itself.</summary>
    public SandboxMode Sandbox { get; init; } = SandboxMode.Bwrap;

    /// <summary>How Atom's commits are made verifiable on GitHub (<c>ATOM_GIT_SIGNING</c>).</summary>
    public GitSigningMode GitSigning { get; init; } = GitSigningMode.Auto;

    /// <summary><c>ATOM_MCP_SERVERS</c> with <c>ATOM_MCP_TOKENS</c>: the MCP servers whose tools a repository may allow (<c>mcp_tools</c>).</summary>
    public McpServers McpServers { get; init; } = McpServers.None;

    public bool UsesPostgreSql => !string.Equals(JobStorage, "memory", StringComparison.OrdinalIgnoreCase);

    public string DatabasePath => Path.Combine(DataDir, "atom.db");

    /// <summary>Every secret value, so that log and output scrubbing can look for them.</summary>
    public IEnumerable<string> Secrets()
    {
        foreach (var s in new[] { WebhookSecret, GitHubToken, LlmApiKey, DashboardToken, EmbeddingsApiKey }.Concat(McpServers.Tokens))
        {
            if (!string.IsNullOrEmpty(s))
            {
                yield return s;
            }
        }
    }

    // The generated ToString would print every secret and the job storage's password; an options record that reaches
    // a log line or an exception message must not. Properties are read by reflection so a new one cannot be forgotten.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        var first = true;
        foreach (var property in typeof(AtomOptions).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
        {
            var value = property.GetValue(this);
            var shown = property.Name switch
            {
                nameof(WebhookSecret) or nameof(GitHubToken) or nameof(LlmApiKey) or nameof(DashboardToken) or nameof(EmbeddingsApiKey) => value is null ? "(none)" : "***",
                nameof(JobStorage) => Redaction.ConnectionString((string)value!),
                nameof(Database) => value is null ? "(SQLite)" : Redaction.ConnectionString((string)value),
                _ => value?.ToString() ?? "(none)",
            };
            builder.Append(first ? "" : ", ").Append(property.Name).Append(" = ").Append(shown);
            first = false;
        }

        return true;
    }
}
