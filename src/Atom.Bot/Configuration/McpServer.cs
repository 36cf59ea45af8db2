namespace Atom.Bot.Configuration;

/// <summary>One MCP server of <c>ATOM_MCP_SERVERS</c>: its name (the <c>&lt;server&gt;</c> of tool names) and its Streamable HTTP endpoint.</summary>
public sealed record McpServer(string Name, Uri Url);
