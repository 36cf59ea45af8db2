using Atom.Bot.Configuration;

namespace Atom.Bot.Mcp;

/// <summary>An allowed MCP tool the server has: offered to the model as <see cref="McpToolReference.OfferedName"/> with the server's input schema.</summary>
public sealed record McpOfferedTool(McpToolReference Reference, string Description, string InputSchema);
