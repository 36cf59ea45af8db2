namespace Atom.Bot.Configuration;

/// <summary>The repository-wide scope every assignment is narrowed to.</summary>
public sealed record ScopeSettings
{
    /// <summary>Denied whatever a repository configures: the rules, the skills and git's own files.</summary>
    public static readonly IReadOnlyList<string> AlwaysDenied = [".github/**", ".atom/**", ".git/**"];

    public string[] Allow { get; init; } = ["**"];
    public string[] Deny { get; init; } = [".github/**", ".atom/**"];
    public int MaxFiles { get; init; } = 20;
    public int MaxChangedLines { get; init; } = 800;
}
