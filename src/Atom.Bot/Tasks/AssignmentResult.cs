namespace Atom.Bot.Tasks;

/// <summary>What a worker hands back to the supervisor: the supervisor reads it, the worker never calls it.</summary>
public sealed record AssignmentResult
{
    public required AssignmentOutcome Outcome { get; init; }
    public required string Summary { get; init; }
    public IReadOnlyList<string> FilesChanged { get; init; } = [];
    public int LinesAdded { get; init; }
    public int LinesRemoved { get; init; }
    public int Steps { get; init; }
    public long TokensIn { get; init; }
    public long TokensOut { get; init; }
    public TimeSpan LlmTime { get; init; }
    public IReadOnlyList<ScopeViolation> Refusals { get; init; } = [];

    /// <summary>Failed tool calls as <c>tool:failure</c> keys (the worker toolbox's error keys).</summary>
    public IReadOnlyList<string> ToolErrors { get; init; } = [];

    /// <summary>Each MCP tool call, as <c>server/tool</c>.</summary>
    public IReadOnlyList<string> McpCalls { get; init; } = [];

    /// <summary>Why allowed MCP tools were not offered ("MCP server docs unreachable: docs/lookup not offered"), for the package.</summary>
    public IReadOnlyList<string> McpNotes { get; init; } = [];
    public string? CommitSha { get; init; }
    public string? Error { get; init; }
}
