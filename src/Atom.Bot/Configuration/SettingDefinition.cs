using System.Globalization;

namespace Atom.Bot.Configuration;

/// <summary>One environment variable of the contract: its default, whether it is secret, how it is checked.</summary>
public sealed record SettingDefinition(
    string Variable,
    string? Default,
    bool IsSecret = false,
    bool Required = false,
    SettingKind Kind = SettingKind.Text)
{
    public string YamlKey => Variable["ATOM_".Length..].ToLowerInvariant();

    /// <summary>Why <paramref name="value"/> is not acceptable, or null when it is.</summary>
    public string? Validate(string value) => Kind switch
    {
        SettingKind.Url => Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? null
            : "not an absolute http(s) URL",
        SettingKind.PositiveInteger => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? null
            : "not a positive whole number",
        SettingKind.NonNegativeInteger => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _)
            ? null
            : "not a whole number (0 or more)",
        SettingKind.SandboxMode => value.Equals("bwrap", StringComparison.OrdinalIgnoreCase) || value.Equals("none", StringComparison.OrdinalIgnoreCase)
            ? null
            : "not a sandbox: use bwrap (bubblewrap namespaces) or none (unsafe: tests run as Atom)",
        SettingKind.GitSigning => Enum.GetNames<GitSigningMode>().Any(n => n.Equals(value, StringComparison.OrdinalIgnoreCase))
            ? null
            : "not a signing mode: use auto (verified commits when the base branch requires them), api (GitHub App commits through the Git Data API), ssh (an SSH key under the data directory) or none",
        SettingKind.LlmPrices => Configuration.LlmPrices.Parse(value, out var error) is null ? error : null,
        SettingKind.McpServers => Configuration.McpServers.Parse(value, null, out var error) is null ? error : null,
        SettingKind.McpTokens => Configuration.McpServers.TokensProblem(value),
        _ => null,
    };
}
