namespace Atom.Bot.Configuration;

public enum SettingKind
{
    Text,
    Url,
    PositiveInteger,
    NonNegativeInteger,

    /// <summary><c>bwrap</c> or <c>none</c> (<see cref="Configuration.SandboxMode"/>).</summary>
    SandboxMode,

    /// <summary><c>auto</c>, <c>api</c>, <c>ssh</c> or <c>none</c> (<see cref="Configuration.GitSigningMode"/>).</summary>
    GitSigning,

    /// <summary><c>model=input/output</c> pairs, prices per million tokens (<see cref="Configuration.LlmPrices"/>).</summary>
    LlmPrices,

    /// <summary><c>name=url</c> pairs, the MCP servers (<see cref="Configuration.McpServers"/>).</summary>
    McpServers,

    /// <summary><c>name=token</c> pairs, a bearer token per MCP server (secret).</summary>
    McpTokens,
}
