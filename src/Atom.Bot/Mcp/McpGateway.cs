using Atom.Bot.Configuration;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Atom.Bot.Mcp;

/// <summary>
/// Opens the MCP servers of <c>ATOM_MCP_SERVERS</c> that a repository's <c>mcp_tools</c> name, for one assignment, over
/// Streamable HTTP. A server that cannot be reached, a server the operator did not configure, or an allowed tool the
/// server does not have is not an error: those tools are simply not offered, and the session's notes say why.
/// </summary>
public sealed class McpGateway(AtomOptions options, ILoggerFactory loggerFactory, McpTuning? tuning = null)
{
    /// <summary>A larger input schema is not offered: it would cost that much context in every request.</summary>
    public const int MaxSchemaBytes = 16 * 1024;

    /// <summary>A tool's description is cut to this length.</summary>
    public const int MaxDescriptionChars = 1000;

    private readonly McpTuning _tuning = tuning ?? McpTuning.Default;
    private readonly ILogger _logger = loggerFactory.CreateLogger<McpGateway>();

    /// <summary>
    /// Connects to the servers <paramref name="allowed"/> names and lists their tools. Never throws but for cancellation.
    /// <paramref name="onCall"/> records each call the session makes (the audit log).
    /// </summary>
    public async Task<McpSession> OpenAsync(IReadOnlyList<string> allowed, Func<McpCallRecord, Task> onCall, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        ArgumentNullException.ThrowIfNull(onCall);
        var references = allowed.Select(a => McpToolReference.Parse(a, out _)).OfType<McpToolReference>().Distinct().ToList();
        var clients = new Dictionary<string, McpClient>(StringComparer.Ordinal);
        var offered = new List<McpOfferedTool>();
        var notes = new List<string>();
        foreach (var group in references.GroupBy(r => r.Server, StringComparer.Ordinal))
        {
            var names = string.Join(", ", group.Select(r => r.ToString()));
            if (options.McpServers.Find(group.Key) is not { } server)
            {
                notes.Add($"mcp_tools allows {names}, but ATOM_MCP_SERVERS has no server {group.Key}: not offered");
                Log.UnknownServer(_logger, group.Key);
                continue;
            }

            var (client, tools, _) = await ConnectAsync(server, cancellationToken);
            if (client is null)
            {
                notes.Add($"MCP server {server.Name} unreachable: {names} not offered");
                continue;
            }

            clients[server.Name] = client;
            foreach (var reference in group)
            {
                var tool = tools.FirstOrDefault(t => t.Name == reference.Tool);
                var schema = tool?.InputSchema.GetRawText();
                if (tool is null)
                {
                    notes.Add($"MCP server {server.Name} has no tool {reference.Tool}: {reference} not offered");
                }
                else if (System.Text.Encoding.UTF8.GetByteCount(schema!) > MaxSchemaBytes)
                {
                    notes.Add($"{reference} has an input schema over {MaxSchemaBytes / 1024} KiB: not offered");
                }
                else
                {
                    var description = string.IsNullOrWhiteSpace(tool.Description) ? tool.Title ?? reference.Tool : tool.Description.Trim();
                    offered.Add(new McpOfferedTool(reference, description.Length > MaxDescriptionChars ? description[..MaxDescriptionChars] + "…" : description, schema!));
                }
            }
        }

        return new McpSession(clients, offered, notes, onCall, options.McpServers.Tokens.ToList(), _tuning.CallTimeout, _logger);
    }

    /// <summary>Whether <paramref name="server"/> answers and which tools it lists, or why not (<c>atom doctor</c>).</summary>
    public async Task<McpProbe> ProbeAsync(McpServer server, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        var (client, tools, problem) = await ConnectAsync(server, cancellationToken);
        if (client is null)
        {
            return new McpProbe(server, null, problem);
        }

        try
        {
            await client.DisposeAsync();
        }
        catch (Exception e)
        {
            Log.NotClosed(_logger, server.Name, e);
        }

        return new McpProbe(server, [.. tools.Select(t => t.Name)], null);
    }

    private async Task<(McpClient? Client, IReadOnlyList<Tool> Tools, string? Problem)> ConnectAsync(McpServer server, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (options.McpServers.TokenFor(server.Name) is { } token)
        {
            headers["Authorization"] = $"Bearer {token}";
        }

        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = server.Url,
            Name = server.Name,
            TransportMode = HttpTransportMode.StreamableHttp,
            ConnectionTimeout = _tuning.ConnectTimeout,
            AdditionalHeaders = headers,
            // Atom only calls tools; it takes no requests from the server (no sampling, roots or elicitation is offered).
            EnableStandaloneGetStream = false,
        }, loggerFactory);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_tuning.ConnectTimeout);
        McpClient? client = null;
        try
        {
            client = await McpClient.CreateAsync(transport, new McpClientOptions
            {
                ClientInfo = new Implementation { Name = "atom", Version = typeof(McpGateway).Assembly.GetName().Version?.ToString() ?? "0" },
                InitializationTimeout = _tuning.ConnectTimeout,
            }, loggerFactory, timeout.Token);
            var tools = await client.ListToolsAsync(cancellationToken: timeout.Token);
            Log.Connected(_logger, server.Name, tools.Count);
            return (client, [.. tools.Select(t => t.ProtocolTool)], null);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            var problem = timeout.IsCancellationRequested
                ? $"no answer within {_tuning.ConnectTimeout.TotalSeconds:0.#} seconds"
                : Redaction.Redact($"{e.GetType().Name}: {e.Message}", [.. options.McpServers.Tokens]);
            Log.Unreachable(_logger, server.Name, server.Url, problem);
            if (client is not null)
            {
                await client.DisposeAsync();
            }
            else
            {
                await transport.DisposeAsync();
            }

            return (null, [], problem);
        }
    }
}
