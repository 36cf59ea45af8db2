using System.Text.Json;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>
/// What OpenAI's API checks in a schema sent with <c>strict: true</c> (a <c>json_schema</c> response format or a strict
/// function tool) before it answers, so the scripted LLM refuses what the real one refuses: the root is an object;
/// every object names <c>"additionalProperties": false</c> and a <c>required</c> array with every key of its
/// <c>properties</c> (an optional field is required with a null-able type); keywords strict mode does not support are refused.
/// </summary>
public static class StrictSchemaRules
{
    // Keywords strict mode refuses (OpenAI's structured outputs guide, "Some type-specific keywords are not yet supported").
    private static readonly string[] Unsupported = ["patternProperties", "unevaluatedProperties", "propertyNames", "minProperties", "maxProperties", "contains", "if", "then", "else", "not"];

    /// <summary>The first rule <paramref name="schema"/> breaks, worded like OpenAI's 400, or null when it is acceptable.</summary>
    public static string? FirstViolation(string name, JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object || !IsType(schema, "object"))
        {
            return $"Invalid schema for response_format '{name}': schema must be a JSON Schema of 'type: \"object\"', got 'type: \"{TypeOf(schema)}\"'.";
        }

        return Walk(name, schema, []);
    }

    private static string? Walk(string name, JsonElement node, List<string> context)
    {
        if (node.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var keyword in Unsupported)
        {
            if (node.TryGetProperty(keyword, out _))
            {
                return $"Invalid schema for response_format '{name}': In context={Context(context)}, '{keyword}' is not permitted.";
            }
        }

        if (node.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
        {
            if (!node.TryGetProperty("additionalProperties", out var additional) || additional.ValueKind != JsonValueKind.False)
            {
                return $"Invalid schema for response_format '{name}': In context={Context(context)}, 'additionalProperties' is required to be supplied and to be false.";
            }

            var keys = properties.EnumerateObject().Select(p => p.Name).ToList();
            var required = node.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.Array
                ? r.EnumerateArray().Select(e => e.GetString()).ToHashSet()
                : null;
            var missing = keys.Where(k => required is null || !required.Contains(k)).ToList();
            if (missing.Count > 0)
            {
                return $"Invalid schema for response_format '{name}': In context={Context(context)}, 'required' is required to be supplied and to be an array including every key in properties. Missing '{missing[0]}'.";
            }

            foreach (var property in properties.EnumerateObject())
            {
                if (Walk(name, property.Value, [.. context, "properties", property.Name]) is { } violation)
                {
                    return violation;
                }
            }
        }
        else if (IsType(node, "object"))
        {
            if (!node.TryGetProperty("additionalProperties", out var additional) || additional.ValueKind != JsonValueKind.False)
            {
                return $"Invalid schema for response_format '{name}': In context={Context(context)}, 'additionalProperties' is required to be supplied and to be false.";
            }
        }

        if (node.TryGetProperty("items", out var items) && Walk(name, items, [.. context, "items"]) is { } inItems)
        {
            return inItems;
        }

        foreach (var combinator in new[] { "anyOf", "$defs", "definitions" })
        {
            if (!node.TryGetProperty(combinator, out var children))
            {
                continue;
            }

            var list = children.ValueKind == JsonValueKind.Array
                ? children.EnumerateArray().Select((c, i) => (Key: i.ToString(System.Globalization.CultureInfo.InvariantCulture), Value: c))
                : children.ValueKind == JsonValueKind.Object ? children.EnumerateObject().Select(p => (Key: p.Name, p.Value)) : [];
            foreach (var (key, child) in list)
            {
                if (Walk(name, child, [.. context, combinator, key]) is { } violation)
                {
                    return violation;
                }
            }
        }

        return null;
    }

    private static bool IsType(JsonElement node, string type) =>
        node.TryGetProperty("type", out var t)
        && (t.ValueKind == JsonValueKind.String ? t.GetString() == type : t.ValueKind == JsonValueKind.Array && t.EnumerateArray().Any(e => e.GetString() == type));

    private static string TypeOf(JsonElement node) =>
        node.ValueKind == JsonValueKind.Object && node.TryGetProperty("type", out var t) ? t.ToString() : "None";

    private static string Context(List<string> path) => "(" + string.Join(", ", path.Select(p => $"'{p}'")) + (path.Count == 1 ? ",)" : ")");
}
