namespace Atom.Bot.Mcp;

/// <summary>How long Atom waits for an MCP server; the defaults suit production, tests shrink them.</summary>
public sealed record McpTuning
{
    public static McpTuning Default { get; } = new();

    /// <summary>Connecting and listing a server's tools at the start of an assignment; a slower server counts as unreachable.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>One tool call; a slower answer is a tool error the model reads.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
