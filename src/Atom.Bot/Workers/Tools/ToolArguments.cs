using System.Text.Json;

namespace Atom.Bot.Workers.Tools;

/// <summary>The arguments object of one call, read so that every mistake is a tool error naming the tool and its example.</summary>
internal readonly struct ToolArguments(JsonElement arguments, WorkerTool tool)
{
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
}
