using System.Text.Json;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>One chat completion request as <see cref="LlmScript"/> received it, with accessors for what tests check.</summary>
public sealed class LlmScriptRequest
{
    public LlmScriptRequest(int number, string body, string? authorization)
    {
        Number = number;
        Body = body;
        Authorization = authorization;
        using var document = JsonDocument.Parse(body);
        Json = document.RootElement.Clone();
    }

    /// <summary>1 for the first request the script received.</summary>
    public int Number { get; }

    public string Body { get; }

    public JsonElement Json { get; }

    public string? Authorization { get; }

    public string? Model => Json.TryGetProperty("model", out var model) ? model.GetString() : null;

    /// <summary>Each message's role, in order.</summary>
    public IReadOnlyList<string> Roles => [.. Messages.Select(m => m.GetProperty("role").GetString() ?? "")];

    /// <summary>The text of the last message with role <c>user</c>.</summary>
    public string LastUserText => Messages.Where(m => m.GetProperty("role").GetString() == "user").Select(TextOf).LastOrDefault() ?? "";

    /// <summary>The names of the function tools offered.</summary>
    public IReadOnlyList<string> ToolNames =>
        Json.TryGetProperty("tools", out var tools)
            ? [.. tools.EnumerateArray().Select(t => t.GetProperty("function").GetProperty("name").GetString() ?? "")]
            : [];

    /// <summary><c>json_schema</c>, <c>json_object</c>, ... or null when the request has no <c>response_format</c>.</summary>
    public string? ResponseFormatType =>
        Json.TryGetProperty("response_format", out var format) && format.TryGetProperty("type", out var type) ? type.GetString() : null;

    /// <summary>
    /// The first strict-mode rule broken by the request's <c>json_schema</c> response format or by a tool marked
    /// <c>strict</c> (<see cref="StrictSchemaRules"/>), with the parameter OpenAI names in its 400; null when none is.
    /// </summary>
    public (string Message, string Param)? StrictSchemaViolation
    {
        get
        {
            if (Json.TryGetProperty("response_format", out var format)
                && format.TryGetProperty("json_schema", out var jsonSchema)
                && jsonSchema.TryGetProperty("strict", out var strict) && strict.ValueKind == JsonValueKind.True
                && StrictSchemaRules.FirstViolation(jsonSchema.GetProperty("name").GetString() ?? "", jsonSchema.GetProperty("schema")) is { } inFormat)
            {
                return (inFormat, "response_format");
            }

            if (Json.TryGetProperty("tools", out var tools))
            {
                foreach (var function in tools.EnumerateArray().Select(t => t.GetProperty("function")))
                {
                    if (function.TryGetProperty("strict", out var toolStrict) && toolStrict.ValueKind == JsonValueKind.True
                        && StrictSchemaRules.FirstViolation(function.GetProperty("name").GetString() ?? "", function.GetProperty("parameters")) is { } inTool)
                    {
                        return (inTool, "tools");
                    }
                }
            }

            return null;
        }
    }

    public IReadOnlyList<JsonElement> Messages => [.. Json.GetProperty("messages").EnumerateArray()];

    /// <summary>A message's content as one string (string content, or the text parts joined).</summary>
    public static string TextOf(JsonElement message)
    {
        if (!message.TryGetProperty("content", out var content))
        {
            return "";
        }

        return content.ValueKind switch
        {
            JsonValueKind.String => content.GetString() ?? "",
            JsonValueKind.Array => string.Concat(content.EnumerateArray().Select(p => p.TryGetProperty("text", out var t) ? t.GetString() : "")),
            _ => "",
        };
    }
}
