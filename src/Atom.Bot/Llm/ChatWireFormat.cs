using System.Buffers;
using System.ClientModel.Primitives;
using System.Text;
using System.Text.Json;
using OpenAI.Chat;

namespace Atom.Bot.Llm;

/// <summary>
/// The <c>/chat/completions</c> request and response bodies. Messages, tools and the response format are written by
/// the OpenAI SDK's own serializers; the response is read here, tolerantly, because OpenAI-compatible servers
/// differ from OpenAI in ways the SDK's strict model rejects (a null or unknown <c>finish_reason</c>, content as an
/// array of parts, tool arguments as an object, missing ids or usage).
/// </summary>
internal static class ChatWireFormat
{
    private const int MaxErrorLength = 500;

    public static BinaryData BuildRequest(string model, IEnumerable<ChatMessage> messages, IReadOnlyList<ChatTool>? tools, ChatResponseFormat? responseFormat)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("model", model);
            writer.WriteStartArray("messages");
            foreach (var message in messages)
            {
                ((IJsonModel<ChatMessage>)message).Write(writer, ModelReaderWriterOptions.Json);
            }

            writer.WriteEndArray();
            if (tools is { Count: > 0 })
            {
                writer.WriteStartArray("tools");
                foreach (var tool in tools)
                {
                    ((IJsonModel<ChatTool>)tool).Write(writer, ModelReaderWriterOptions.Json);
                }

                writer.WriteEndArray();
            }

            if (responseFormat is not null)
            {
                writer.WritePropertyName("response_format");
                ((IJsonModel<ChatResponseFormat>)responseFormat).Write(writer, ModelReaderWriterOptions.Json);
            }

            writer.WriteBoolean("stream", false);
            writer.WriteEndObject();
        }

        return new BinaryData(buffer.WrittenMemory);
    }

    /// <summary>The first choice's assistant message, or null and what is wrong with the body.</summary>
    public static LlmReply? ReadReply(BinaryData body, out string? problem)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("choices", out var choices)
                || choices.ValueKind != JsonValueKind.Array
                || choices.GetArrayLength() == 0)
            {
                problem = "the response has no choices";
                return null;
            }

            var choice = choices[0];
            if (!choice.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object)
            {
                problem = "the response's first choice has no message";
                return null;
            }

            var usage = root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object ? u : default;
            problem = null;
            return new LlmReply(
                Content(message),
                ToolCalls(message),
                String(choice, "finish_reason") ?? "",
                Int(usage, "prompt_tokens"),
                Int(usage, "completion_tokens"),
                String(root, "model") ?? "");
        }
        catch (JsonException e)
        {
            problem = $"the response is not JSON ({e.Message})";
            return null;
        }
    }

    /// <summary>The server's error message (OpenAI's <c>{"error":{"message":...}}</c> or a common variant), else the body's start.</summary>
    public static string ErrorMessage(BinaryData? body)
    {
        var text = body?.ToString() ?? "";
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            var message = root.ValueKind != JsonValueKind.Object ? null
                : root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object ? String(error, "message")
                : root.TryGetProperty("error", out error) && error.ValueKind == JsonValueKind.String ? error.GetString()
                : String(root, "message") ?? String(root, "detail");
            if (!string.IsNullOrWhiteSpace(message))
            {
                return Truncate(message);
            }
        }
        catch (JsonException)
        {
            // Not JSON (an HTML error page from a proxy, say): show its start.
        }

        return string.IsNullOrWhiteSpace(text) ? "(no body)" : Truncate(text.Trim());
    }

    private static string? Content(JsonElement message)
    {
        if (!message.TryGetProperty("content", out var content))
        {
            return null;
        }

        string? text = null;
        if (content.ValueKind == JsonValueKind.String)
        {
            text = content.GetString();
        }
        else if (content.ValueKind == JsonValueKind.Array)
        {
            var builder = new StringBuilder();
            foreach (var part in content.EnumerateArray())
            {
                builder.Append(part.ValueKind == JsonValueKind.String ? part.GetString() : String(part, "text"));
            }

            text = builder.ToString();
        }

        return string.IsNullOrEmpty(text) ? null : text;
    }

    private static List<LlmToolCall> ToolCalls(JsonElement message)
    {
        var calls = new List<LlmToolCall>();
        if (!message.TryGetProperty("tool_calls", out var toolCalls) || toolCalls.ValueKind != JsonValueKind.Array)
        {
            return calls;
        }

        foreach (var call in toolCalls.EnumerateArray())
        {
            if (call.ValueKind != JsonValueKind.Object
                || !call.TryGetProperty("function", out var function)
                || String(function, "name") is not { Length: > 0 } name)
            {
                continue;
            }

            var arguments = function.TryGetProperty("arguments", out var a)
                ? a.ValueKind == JsonValueKind.String ? a.GetString() : a.ValueKind == JsonValueKind.Null ? null : a.GetRawText()
                : null;
            calls.Add(new LlmToolCall(
                String(call, "id") is { Length: > 0 } id ? id : $"call_{calls.Count}",
                name,
                string.IsNullOrWhiteSpace(arguments) ? "{}" : arguments));
        }

        return calls;
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static int Int(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.TryGetInt32(out var number)
            ? number
            : 0;

    private static string Truncate(string text) => text.Length <= MaxErrorLength ? text : text[..MaxErrorLength] + "…";
}
