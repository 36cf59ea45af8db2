using Atom.Bot.Configuration;

namespace Atom.Bot.Mcp;

/// <summary>What <see cref="McpGateway.ProbeAsync"/> found: the tools a server lists, or (<see cref="Tools"/> null) why it could not be reached.</summary>
public sealed record McpProbe(McpServer Server, IReadOnlyList<string>? Tools, string? Problem);
