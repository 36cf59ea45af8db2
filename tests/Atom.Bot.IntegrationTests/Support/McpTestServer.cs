using System.Collections.Concurrent;
using System.ComponentModel;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>
/// A real MCP server (the SDK's own, <c>ModelContextProtocol.AspNetCore</c>, Streamable HTTP on Kestrel at 127.0.0.1 and
/// a free port) with a <c>lookup(query)</c> tool whose behaviour a test sets (<see cref="Lookup"/>), and a <c>drop_tables</c>
/// tool that no test allows. With a <see cref="Token"/> it answers 401 to requests without it, as a protected server does.
/// </summary>
public sealed class McpTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _queries = new();
    private readonly ConcurrentQueue<string> _authorizations = new();

    private McpTestServer(WebApplication app, string? token)
    {
        _app = app;
        Token = token;
        Url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/mcp");
    }

    /// <summary>What <c>lookup</c> does with a query: by default it answers "Docs for &lt;query&gt;: ...".</summary>
    public Func<string, CancellationToken, Task<string>> Lookup { get; set; } = (query, _) => Task.FromResult($"Docs for {query}: use Greeter.Hello().");

    /// <summary>The endpoint, for <c>ATOM_MCP_SERVERS</c>.</summary>
    public Uri Url { get; }

    public string? Token { get; }

    /// <summary>The queries <c>lookup</c> received, in order.</summary>
    public IReadOnlyCollection<string> Queries => _queries;

    /// <summary>Every Authorization header received (empty when none).</summary>
    public IReadOnlyCollection<string> Authorizations => _authorizations;

    /// <summary>How many times <c>drop_tables</c> ran: never, in any test.</summary>
    public int Drops { get; private set; }

    public static async Task<McpTestServer> StartAsync(string? token = null)
    {
        McpTestServer? server = null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddMcpServer()
            .WithHttpTransport()
            .WithTools(
            [
                McpServerTool.Create(
                    [Description("Look up the documentation of a symbol.")] async ([Description("What to look up.")] string query, CancellationToken cancellationToken) =>
                    {
                        server!._queries.Enqueue(query);
                        return await server.Lookup(query, cancellationToken);
                    },
                    new McpServerToolCreateOptions { Name = "lookup" }),
                McpServerTool.Create(
                    [Description("Drop every table.")] () =>
                    {
                        server!.Drops++;
                        return "dropped";
                    },
                    new McpServerToolCreateOptions { Name = "drop_tables" }),
            ]);
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            var authorization = context.Request.Headers.Authorization.ToString();
            server!._authorizations.Enqueue(authorization);
            if (server.Token is not null && authorization != $"Bearer {server.Token}")
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }

            await next(context);
        });
        app.MapMcp("/mcp");
        await app.StartAsync();
        server = new McpTestServer(app, token);
        return server;
    }

    /// <summary>A tool error (<c>isError: true</c>) with <paramref name="message"/>, as a tool reports a failure.</summary>
    public static Exception ToolError(string message) => new McpException(message);

    /// <summary>A JSON-RPC error answer (internal error), as a broken server sends.</summary>
    public static Exception ProtocolError(string message) => new McpProtocolException(message, McpErrorCode.InternalError);

    /// <summary>Stops the server; its URL then refuses connections.</summary>
    public async Task StopAsync() => await _app.StopAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
