using Atom.Bot.Configuration;

namespace Atom.Bot.Mcp;

/// <summary>What the audit log keeps of one MCP call: which tool, how it ended, and the SHA-256 of what went out and came back.</summary>
public sealed record McpCallRecord(McpToolReference Tool, McpCallStatus Status, string InputSha256, string OutputSha256, int InputBytes, int OutputBytes, TimeSpan Duration);
