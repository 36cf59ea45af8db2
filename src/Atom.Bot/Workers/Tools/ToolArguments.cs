using System.Text.Json;

namespace Atom.Bot.Workers.Tools;

/// <summary>The arguments object of one call, read so that every mistake is a tool error naming the tool and its example.</summary>
internal readonly struct ToolArguments(JsonElement arguments, WorkerTool tool)
{
    /// <summary>The whole arguments object, for a tool that passes it on as it is (an MCP tool).</summary>
    public JsonElement Json => arguments;

    public ToolOutcome? Required(string name, out string value, bool allowEmpty = false)
    {
        value = "";
        if (!arguments.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return ToolOutcome.Error(ToolFailure.InvalidArguments, $"{tool.Name} needs the argument '{name}' (a string), e.g. {tool.Example}.");
        }

        if (property.ValueKind != JsonValueKind.String)
        {
            return ToolOutcome.Error(ToolFailure.InvalidArguments, $"the argument '{name}' of {tool.Name} must be a string, e.g. {tool.Example}.");
        }

        value = property.GetString()!;
        return value.Length == 0 && !allowEmpty
            ? ToolOutcome.Error(ToolFailure.InvalidArguments, $"the argument '{name}' of {tool.Name} is empty.")
            : null;
    }

    public ToolOutcome? Optional(string name, out string? value)
    {
        value = null;
        if (!arguments.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (property.ValueKind != JsonValueKind.String)
        {
            return ToolOutcome.Error(ToolFailure.InvalidArguments, $"the argument '{name}' of {tool.Name} must be a string, e.g. {tool.Example}.");
        }

        value = property.GetString();
        return null;
    }

    /// <summary>An optional whole number of at least <paramref name="minimum"/> (a JSON number, or a string of digits as some models send).</summary>
    public ToolOutcome? OptionalInteger(string name, int minimum, out int? value)
    {
        value = null;
        if (!arguments.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var parsed = property.ValueKind switch
        {
            JsonValueKind.Number when property.TryGetInt32(out var number) => number,
            JsonValueKind.String when int.TryParse(property.GetString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) => number,
            _ => (int?)null,
        };
        if (parsed is null || parsed < minimum)
        {
            return ToolOutcome.Error(ToolFailure.InvalidArguments, $"the argument '{name}' of {tool.Name} must be a whole number of at least {minimum}, e.g. {tool.Example}.");
        }

        value = parsed;
        return null;
    }

    /// <summary>An optional true or false.</summary>
    public ToolOutcome? OptionalBoolean(string name, out bool value)
    {
        value = false;
        if (!arguments.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (property.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            return ToolOutcome.Error(ToolFailure.InvalidArguments, $"the argument '{name}' of {tool.Name} must be true or false, e.g. {tool.Example}.");
        }

        value = property.GetBoolean();
        return null;
    }
}
