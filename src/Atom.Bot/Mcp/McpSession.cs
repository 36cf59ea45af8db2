using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Atom.Bot.Audit;
using Atom.Bot.Configuration;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Atom.Bot.Mcp;

/// <summary>
/// The MCP connections of one assignment: the tools offered, the <see cref="Notes"/> on what was not, and the calls.
/// A call sends only the model's arguments and never throws but for cancellation: a server error, a dropped
/// connection or a timeout is a <see cref="McpCallResult"/> the model reads. Calls are sequential, as the toolbox's are.
/// </summary>
public sealed class McpSession : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, McpClient> _clients;
    private readonly Func<McpCallRecord, Task> _onCall;
    private readonly IReadOnlyList<string> _secrets;
    private readonly TimeSpan _callTimeout;
    private readonly ILogger _logger;
    private readonly List<string> _calls = [];

    internal McpSession(IReadOnlyDictionary<string, McpClient> clients, IReadOnlyList<McpOfferedTool> tools, IReadOnlyList<string> notes, Func<McpCallRecord, Task> onCall, IReadOnlyList<string> secrets, TimeSpan callTimeout, ILogger logger)
    {
        _clients = clients;
        Tools = tools;
        Notes = notes;
        _onCall = onCall;
        _secrets = secrets;
        _callTimeout = callTimeout;
        _logger = logger;
    }

    /// <summary>No server, no tool: what an assignment of a repository without <c>mcp_tools</c> gets.</summary>
    public static McpSession None { get; } = new(new Dictionary<string, McpClient>(), [], [], _ => Task.CompletedTask, [], TimeSpan.Zero, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

    /// <summary>The allowed tools the servers have, in the order of <c>mcp_tools</c>.</summary>
    public IReadOnlyList<McpOfferedTool> Tools { get; }

    /// <summary>Why allowed tools were not offered (unreachable or unknown server, no such tool), for the package.</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>Each call made so far, as <c>server/tool</c>.</summary>
    public IReadOnlyList<string> Calls => _calls;

    /// <summary>Calls <paramref name="tool"/> with the model's <paramref name="arguments"/> (a JSON object), within the call timeout.</summary>
    public async Task<McpCallResult> CallAsync(McpOfferedTool tool, JsonElement arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tool);
        var input = arguments.GetRawText();
        var started = Stopwatch.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_callTimeout);
        McpCallResult result;
        try
        {
            var answer = await _clients[tool.Reference.Server].CallToolAsync(new CallToolRequestParams
            {
                Name = tool.Reference.Tool,
                Arguments = arguments.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal),
            }, timeout.Token);
            result = new McpCallResult(answer.IsError == true ? McpCallStatus.ToolError : McpCallStatus.Answered, Text(answer));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            result = new McpCallResult(McpCallStatus.TimedOut, $"no answer within {_callTimeout.TotalSeconds:0.#} seconds");
        }
        catch (McpProtocolException e) when (!cancellationToken.IsCancellationRequested)
        {
            result = new McpCallResult(McpCallStatus.Failed, $"the server answered with error {(int)e.ErrorCode}: {Redaction.Redact(e.Message, _secrets)}");
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            result = new McpCallResult(McpCallStatus.Failed, $"the call failed ({e.GetType().Name}: {Redaction.Redact(e.Message, _secrets)})");
        }

        var duration = Stopwatch.GetElapsedTime(started);
        _calls.Add(tool.Reference.ToString());
        Log.Called(_logger, tool.Reference.Server, tool.Reference.Tool, result.Status, (long)duration.TotalMilliseconds);
        await _onCall(new McpCallRecord(tool.Reference, result.Status, Hashing.Sha256(input), Hashing.Sha256(result.Text),
            Encoding.UTF8.GetByteCount(input), Encoding.UTF8.GetByteCount(result.Text), duration));
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (server, client) in _clients)
        {
            try
            {
                await client.DisposeAsync();
            }
            catch (Exception e)
            {
                // The work is done by now: a server that cannot even end its session must not fail the assignment.
                Log.NotClosed(_logger, server, e);
            }
        }
    }

    /// <summary>The answer as text: text blocks and text resources as they are, structured content as JSON, anything else named.</summary>
    private static string Text(CallToolResult answer)
    {
        var parts = answer.Content.Select(block => block switch
        {
            TextContentBlock text => text.Text,
            EmbeddedResourceBlock { Resource: TextResourceContents resource } => resource.Text,
            _ => $"[{block.Type} content, not shown]",
        }).ToList();
        if (parts.Count == 0 && answer.StructuredContent is { } structured)
        {
            parts.Add(structured.ToString());
        }

        return string.Join("\n", parts);
    }
}
