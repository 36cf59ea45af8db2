using System.Text.Json.Nodes;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>What the browser posted to the new-App page: its path, the state in its address, the manifest field parsed.</summary>
public sealed record PostedManifest(string Path, string? State, JsonObject? Manifest);
