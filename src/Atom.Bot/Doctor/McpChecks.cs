using Atom.Bot.Configuration;
using Atom.Bot.Mcp;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atom.Bot.Doctor;

/// <summary>
/// Each server of <c>ATOM_MCP_SERVERS</c>, opened as a worker would (token included) and asked for its tools. An
/// unreachable one is a warning, not a failure: workers go on without its tools, and packages say so.
/// </summary>
internal static class McpChecks
{
    public static async Task<IReadOnlyList<DoctorFinding>> RunAsync(AtomOptions options, CancellationToken cancellationToken)
    {
        var gateway = new McpGateway(options, NullLoggerFactory.Instance);
        var findings = new List<DoctorFinding>();
        foreach (var server in options.McpServers.All)
        {
            var probe = await gateway.ProbeAsync(server, cancellationToken);
            var subject = $"MCP server {server.Name}";
            findings.Add(probe.Tools is { } tools
                ? DoctorFinding.Ok(subject, $"{server.Url} answers, {tools.Count} tool(s): {string.Join(", ", tools.Take(20))}{(tools.Count > 20 ? ", ..." : "")} (a repository allows them as {server.Name}/<tool> in mcp_tools)")
                : DoctorFinding.Warn(subject, $"{server.Url} unreachable ({probe.Problem}): workers go on without its tools, and packages say so",
                    "check the URL in ATOM_MCP_SERVERS (a Streamable HTTP endpoint, often ending in /mcp), the token in ATOM_MCP_TOKENS, and that Atom's host can reach it"));
        }

        return findings;
    }
}
