namespace Atom.Bot.Mcp;

/// <summary>The MCP area's log events (5100–5199): server names, URLs and outcomes; never tokens, arguments or outputs.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "MCP server {Server} connected: {Tools} tool(s) listed")]
    public static partial void Connected(ILogger logger, string server, int tools);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "MCP server {Server} ({Url}) unreachable, its tools are not offered: {Reason}")]
    public static partial void Unreachable(ILogger logger, string server, Uri url, string reason);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Warning, Message = "mcp_tools names MCP server {Server}, which ATOM_MCP_SERVERS does not list: its tools are not offered")]
    public static partial void UnknownServer(ILogger logger, string server);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Information, Message = "MCP tool {Server}/{Tool} called: {Status} in {ElapsedMilliseconds} ms")]
    public static partial void Called(ILogger logger, string server, string tool, McpCallStatus status, long elapsedMilliseconds);

    [LoggerMessage(EventId = 5105, Level = LogLevel.Debug, Message = "MCP session with {Server} not closed cleanly")]
    public static partial void NotClosed(ILogger logger, string server, Exception exception);
}
