namespace Atom.Bot.Llm;

/// <summary>One endpoint as <c>GET /status</c> shows it; <see cref="JsonSchema"/> is false once the server refused <c>json_schema</c>.</summary>
public sealed record LlmEndpointStatus(string Endpoint, string Model, bool JsonSchema);
