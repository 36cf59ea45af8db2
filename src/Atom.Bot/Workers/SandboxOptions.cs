using Atom.Bot.Configuration;

namespace Atom.Bot.Workers;

/// <summary>
/// What the test sandbox needs of the configuration: whether to sandbox (<c>ATOM_SANDBOX</c>) and Atom's own paths that
/// must not be visible to a test run. A slice of <see cref="AtomOptions"/>.
/// </summary>
public sealed record SandboxOptions
{
    public required SandboxMode Mode { get; init; }

    /// <summary><c>ATOM_DATA_DIR</c>: keys, database, mirrors and other worktrees; hidden from tests.</summary>
    public required string DataDir { get; init; }

    /// <summary>The GitHub App's private key file, if configured; hidden from tests.</summary>
    public required string? GitHubAppPrivateKeyPath { get; init; }

    public static SandboxOptions From(AtomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SandboxOptions
        {
            Mode = options.Sandbox,
            DataDir = options.DataDir,
            GitHubAppPrivateKeyPath = options.GitHubAppPrivateKeyPath,
        };
    }
}
