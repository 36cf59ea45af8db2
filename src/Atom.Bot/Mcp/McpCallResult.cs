namespace Atom.Bot.Mcp;

/// <summary>
/// One MCP tool call: its <see cref="Status"/>, and <see cref="Text"/>, the server's whole answer as text (or, when it
/// failed, why), which the caller bounds and quotes before the model sees it.
/// </summary>
public sealed record McpCallResult(McpCallStatus Status, string Text);
