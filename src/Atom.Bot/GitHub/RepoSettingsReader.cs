using System.Net;
using Atom.Bot.Configuration;
using Octokit;

namespace Atom.Bot.GitHub;

/// <summary>Reads <c>.github/atom.yml</c> from a repository's default branch: the only place rules come from.</summary>
public sealed class RepoSettingsReader
{
    public async Task<RepoSettingsParseResult> ReadAsync(IGitHubClient client, string owner, string name, string defaultBranch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<RepositoryContent> contents;
        try
        {
            contents = await client.Repository.Content.GetAllContentsByRef(owner, name, RepoSettings.Path, defaultBranch);
        }
        catch (NotFoundException)
        {
            return new RepoSettingsParseResult(RepoSettings.Defaults, null);
        }
        catch (ApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return new RepoSettingsParseResult(RepoSettings.Defaults, null);
        }

        var file = contents.FirstOrDefault(c => c.Type == ContentType.File);
        return file is null
            ? new RepoSettingsParseResult(null, $"{RepoSettings.Path} is not a file")
            : RepoSettingsParser.Parse(file.Content);
    }

    /// <summary>
    /// <see cref="ReadAsync"/> for a decision (an approval, a merge, a command): when GitHub cannot be read (a server error
    /// after the client's retries, an unreachable host, a refused token), that is an error value like an invalid file, so
    /// the caller refuses; it never proceeds on defaults.
    /// </summary>
    public async Task<RepoSettingsParseResult> ReadForDecisionAsync(IGitHubClient client, string owner, string name, string defaultBranch, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadAsync(client, owner, name, defaultBranch, cancellationToken);
        }
        catch (ApiException ex)
        {
            return new RepoSettingsParseResult(null, $"GitHub could not be read ({(int)ex.StatusCode}): {ex.Message}");
        }
        catch (HttpRequestException ex)
        {
            return new RepoSettingsParseResult(null, $"GitHub could not be read: {ex.Message}");
        }
    }
}
