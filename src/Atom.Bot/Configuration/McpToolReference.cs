using System.Text.RegularExpressions;

namespace Atom.Bot.Configuration;

/// <summary>
/// One entry of a repository's <c>mcp_tools</c>: <c>server/tool</c>, offered to workers as <c>mcp_&lt;server&gt;_&lt;tool&gt;</c>.
/// The offered name must be a valid OpenAI function name (letters, digits, <c>_</c> and <c>-</c>, at most
/// <see cref="MaxOfferedNameLength"/>), so only such tool names can be allowed.
/// </summary>
public sealed partial record McpToolReference(string Server, string Tool)
{
    /// <summary>OpenAI refuses a function name longer than this.</summary>
    public const int MaxOfferedNameLength = 64;

    public const string Prefix = "mcp_";

    /// <summary>What the model is offered and calls.</summary>
    public string OfferedName => $"{Prefix}{Server}_{Tool}";

    public override string ToString() => $"{Server}/{Tool}";

    /// <summary>The reference in <paramref name="text"/>, or why it is not one.</summary>
    public static McpToolReference? Parse(string? text, out string? error)
    {
        error = null;
        var parts = (text ?? "").Trim().Split('/');
        if (parts.Length != 2 || !McpServers.IsValidName(parts[0]) || !ToolName().IsMatch(parts[1]))
        {
            error = $"'{text}' is not server/tool (a server name of ATOM_MCP_SERVERS in a-z, 0-9, _ and -; a tool name in letters, digits, _ and -), e.g. docs/lookup";
            return null;
        }

        var reference = new McpToolReference(parts[0], parts[1]);
        if (reference.OfferedName.Length > MaxOfferedNameLength)
        {
            error = $"'{text}' would be offered as {reference.OfferedName}, longer than the {MaxOfferedNameLength} characters a tool name may have";
            return null;
        }

        return reference;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex ToolName();
}
