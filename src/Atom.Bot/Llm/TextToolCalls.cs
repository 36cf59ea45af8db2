using System.Text.Json;
using System.Text.RegularExpressions;

namespace Atom.Bot.Llm;

/// <summary>
/// Tool calls a server left in the message text instead of <c>tool_calls</c>: a server that does not parse the model's
/// calls (llama.cpp without <c>--jinja</c>, vLLM without <c>--enable-auto-tool-choice</c>, a gateway that drops them)
/// passes on what the model wrote. Three shapes are read: Hermes/Qwen's <c>&lt;tool_call&gt;{...}&lt;/tool_call&gt;</c>
/// blocks, Mistral's <c>[TOOL_CALLS] [...]</c>, and a message that is nothing but a call object or an array of them
/// (fenced as JSON or not). A call counts only when it names a tool that was offered and its arguments are a JSON object;
/// anything else stays text, so prose that merely mentions a tool is never run.
/// </summary>
public static partial class TextToolCalls
{
    /// <summary>The reply with the calls read from its text, or the reply itself when it has calls or the text holds none.</summary>
    public static LlmReply Read(LlmReply reply, IReadOnlyCollection<string> offered)
    {
        ArgumentNullException.ThrowIfNull(reply);
        ArgumentNullException.ThrowIfNull(offered);
        if (reply.ToolCalls.Count > 0 || string.IsNullOrWhiteSpace(reply.Text) || offered.Count == 0)
        {
            return reply;
        }

        var text = reply.Text.Trim();
        var blocks = HermesBlock().Matches(text);
        IReadOnlyList<LlmToolCall>? calls;
        string? rest;
        if (blocks.Count > 0)
        {
            calls = Calls(blocks.Select(b => b.Groups["call"].Value), offered);
            rest = HermesBlock().Replace(text, "").Trim();
        }
        else if (text.StartsWith("[TOOL_CALLS]", StringComparison.Ordinal))
        {
            calls = Calls([text["[TOOL_CALLS]".Length..]], offered);
            rest = null;
        }
        else
        {
            calls = Calls([Fence().Match(text) is { Success: true } fenced ? fenced.Groups["json"].Value : text], offered);
            rest = null;
        }

        return calls is null ? reply : reply with { Text = string.IsNullOrEmpty(rest) ? null : rest, ToolCalls = calls };
    }

    /// <summary>Every call in the JSON texts, or null when any of them is not a call of an offered tool.</summary>
    private static List<LlmToolCall>? Calls(IEnumerable<string> jsonTexts, IReadOnlyCollection<string> offered)
    {
        var calls = new List<LlmToolCall>();
        foreach (var json in jsonTexts)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(json.Trim());
            }
            catch (JsonException)
            {
                return null;
            }

            using (document)
            {
                var elements = document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement.EnumerateArray().ToList() : [document.RootElement];
                foreach (var element in elements)
                {
                    if (Call(element, offered, calls.Count) is not { } call)
                    {
                        return null;
                    }

                    calls.Add(call);
                }
            }
        }

        return calls.Count == 0 ? null : calls;
    }

    private static LlmToolCall? Call(JsonElement element, IReadOnlyCollection<string> offered, int index)
    {
        if (element.ValueKind != JsonValueKind.Object
            || !element.TryGetProperty("name", out var name)
            || name.ValueKind != JsonValueKind.String
            || !offered.Contains(name.GetString()!))
        {
            return null;
        }

        // "arguments" (OpenAI, Hermes, Mistral) or "parameters" (Llama 3's JSON tool format); a string holding JSON is unwrapped.
        var arguments = element.TryGetProperty("arguments", out var a) ? a : element.TryGetProperty("parameters", out var p) ? p : default;
        var json = arguments.ValueKind switch
        {
            JsonValueKind.Object => arguments.GetRawText(),
            JsonValueKind.String when IsObject(arguments.GetString()!) => arguments.GetString()!,
            JsonValueKind.Undefined => "{}",
            _ => null,
        };
        return json is null ? null : new LlmToolCall($"call_text_{index + 1}", name.GetString()!, json);
    }

    private static bool IsObject(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"<tool_call>\s*(?<call>.*?)\s*</tool_call>", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex HermesBlock();

    [GeneratedRegex(@"^```(?:json)?\s*(?<json>.*?)\s*```$", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex Fence();
}
