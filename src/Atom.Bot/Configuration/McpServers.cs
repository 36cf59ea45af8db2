using System.Text.RegularExpressions;

namespace Atom.Bot.Configuration;

/// <summary>
/// <c>ATOM_MCP_SERVERS</c>: the MCP servers whose tools a repository may allow its workers (<c>mcp_tools</c>), as
/// <c>name=url</c> pairs separated by commas (<c>docs=https://mcp.example.com/mcp,search=http://10.0.0.5:8080/</c>), and
/// <c>ATOM_MCP_TOKENS</c>: a bearer token per server that needs one, as <c>name=token</c> pairs.
/// </summary>
public sealed partial class McpServers
{
    private readonly IReadOnlyDictionary<string, McpServer> _servers;
    private readonly IReadOnlyDictionary<string, string> _tokens;

    private McpServers(IReadOnlyDictionary<string, McpServer> servers, IReadOnlyDictionary<string, string> tokens)
    {
        _servers = servers;
        _tokens = tokens;
    }

    public static McpServers None { get; } = new(new Dictionary<string, McpServer>(StringComparer.Ordinal), new Dictionary<string, string>(StringComparer.Ordinal));

    public IReadOnlyCollection<McpServer> All => [.. _servers.Values];

    public McpServer? Find(string name) => _servers.GetValueOrDefault(name);

    /// <summary>The bearer token sent to <paramref name="name"/>, if <c>ATOM_MCP_TOKENS</c> gives one.</summary>
    public string? TokenFor(string name) => _tokens.GetValueOrDefault(name);

    /// <summary>The tokens, so that logs, outputs and the audit log can be scrubbed of them.</summary>
    public IEnumerable<string> Tokens => _tokens.Values;

    /// <summary>A server name: lower-case letters, digits, <c>_</c> and <c>-</c>.</summary>
    public static bool IsValidName(string name) => Name().IsMatch(name);

    /// <summary>The servers of <paramref name="servers"/> with the tokens of <paramref name="tokens"/>, or why they are not valid (empty text: none).</summary>
    public static McpServers? Parse(string? servers, string? tokens, out string? error)
    {
        var parsed = new Dictionary<string, McpServer>(StringComparer.Ordinal);
        foreach (var (name, value) in Pairs(servers, "name=url, e.g. docs=https://mcp.example.com/mcp", out error))
        {
            if (!Uri.TryCreate(value, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                error = $"server '{name}': '{value}' is not an absolute http(s) URL";
                return null;
            }

            if (url.UserInfo.Length > 0)
            {
                // A URL is printed by `atom config` and logged; a credential in it would be too.
                error = $"server '{name}': the URL carries a user name or password; give the server a token in ATOM_MCP_TOKENS instead";
                return null;
            }

            if (!parsed.TryAdd(name, new McpServer(name, url)))
            {
                error = $"server '{name}' is given twice";
                return null;
            }
        }

        if (error is not null)
        {
            return null;
        }

        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, token) in Pairs(tokens, TokenShape, out error))
        {
            if (!parsed.ContainsKey(name))
            {
                error = $"a token is given for server '{name}', which ATOM_MCP_SERVERS does not list";
                return null;
            }

            if (!secrets.TryAdd(name, token))
            {
                error = $"server '{name}' is given two tokens";
                return null;
            }
        }

        return error is not null ? null : parsed.Count == 0 ? None : new McpServers(parsed, secrets);
    }

    /// <summary>Why <paramref name="tokens"/> is not a list of <c>name=token</c> pairs, or null when it is; the tokens are never quoted.</summary>
    public static string? TokensProblem(string tokens)
    {
        Pairs(tokens, TokenShape, out var error);
        return error;
    }

    /// <summary>The setting's text form (<c>atom config</c>, the options' printout): names and URLs, never tokens.</summary>
    public override string ToString() => _servers.Count == 0
        ? "(none)"
        : string.Join(",", _servers.Values.Select(s => $"{s.Name}={s.Url}" + (_tokens.ContainsKey(s.Name) ? " (token)" : "")));

    private const string TokenShape = "name=token";

    private static List<(string Name, string Value)> Pairs(string? text, string shape, out string? error)
    {
        error = null;
        var pairs = new List<(string, string)>();
        foreach (var pair in (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? pair[..equals].Trim() : "";
            var value = equals > 0 ? pair[(equals + 1)..].Trim() : "";
            if (!IsValidName(name) || value.Length == 0)
            {
                // The value may be a token: only the name is quoted back.
                error = $"an entry{(name.Length > 0 && IsValidName(name) ? $" for '{name}'" : "")} is not {shape} (names in a-z, 0-9, _ and -)";
                return [];
            }

            pairs.Add((name, value));
        }

        return pairs;
    }

    [GeneratedRegex("^[a-z0-9_-]+$")]
    private static partial Regex Name();
}
