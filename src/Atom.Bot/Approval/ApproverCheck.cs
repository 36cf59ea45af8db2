using System.Collections.Concurrent;
using Atom.Bot.Configuration;
using Atom.Bot.GitHub;
using Octokit;

namespace Atom.Bot.Approval;

/// <summary>
/// Who may approve, by numeric user id: <c>approvers</c> from the default branch's settings when set (the list wins,
/// whatever GitHub's permission says); otherwise write, maintain or admin permission, cached per id for at most a minute
/// (never cached when <c>fresh</c>: the re-check right before a merge).
/// </summary>
public sealed class ApproverCheck(ApproverEntries entries, TimeProvider clock)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<(string Repository, long Id), (bool Allowed, DateTimeOffset Until)> _cache = new();

    public async Task<bool> IsApproverAsync(
        IGitHubClient client, string owner, string name, long repositoryId, GitHubPerson person, RepoSettings settings, CancellationToken cancellationToken, bool fresh = false)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(person);
        if (settings.Approvers.Length > 0)
        {
            return await entries.ListsAsync(client, repositoryId, settings.Approvers, person, cancellationToken);
        }

        var key = ($"{owner}/{name}".ToLowerInvariant(), person.Id);
        var now = clock.GetUtcNow();
        if (!fresh && _cache.TryGetValue(key, out var cached) && cached.Until > now)
        {
            return cached.Allowed;
        }

        var allowed = await Atom.Bot.GitHub.RepositoryPermissions.HasWritePermissionAsync(client, owner, name, person, cancellationToken);
        _cache[key] = (allowed, now + CacheFor);
        return allowed;
    }
}
