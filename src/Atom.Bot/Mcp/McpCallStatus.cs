namespace Atom.Bot.Mcp;

/// <summary>How one MCP tool call ended.</summary>
public enum McpCallStatus
{
    /// <summary>The tool answered.</summary>
    Answered,

    /// <summary>The tool answered with <c>isError</c>: its text says what went wrong.</summary>
    ToolError,

    /// <summary>The server answered with a protocol error, or could not be reached.</summary>
    Failed,

    /// <summary>No answer within <see cref="McpTuning.CallTimeout"/>.</summary>
    TimedOut,
}
