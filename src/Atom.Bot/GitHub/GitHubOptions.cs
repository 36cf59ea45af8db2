using System.Text;
using Atom.Bot.Configuration;

namespace Atom.Bot.GitHub;

/// <summary>
/// The part of <see cref="AtomOptions"/> that the GitHub connection and credentials need: where the API is, and
/// either the personal token or the App's id and private key path.
/// </summary>
public sealed record GitHubOptions
{
    public required Uri GitHubApiUrl { get; init; }
    public string? GitHubToken { get; init; }
    public long? GitHubAppId { get; init; }
    public string? GitHubAppPrivateKeyPath { get; init; }

    public static GitHubOptions From(AtomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new GitHubOptions
        {
            GitHubApiUrl = options.GitHubApiUrl,
            GitHubToken = options.GitHubToken,
            GitHubAppId = options.GitHubAppId,
            GitHubAppPrivateKeyPath = options.GitHubAppPrivateKeyPath,
        };
    }

    // The record's generated ToString would print the token; a logged or interpolated slice must not.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("GitHubApiUrl = ").Append(GitHubApiUrl)
            .Append(", GitHubToken = ").Append(GitHubToken is null ? "(none)" : "***")
            .Append(", GitHubAppId = ").Append(GitHubAppId)
            .Append(", GitHubAppPrivateKeyPath = ").Append(GitHubAppPrivateKeyPath);
        return true;
    }
}
