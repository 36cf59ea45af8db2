using System.Collections.Concurrent;
using Atom.Bot.Configuration;
using Atom.Bot.GitHub;
using Octokit;

namespace Atom.Bot.Approval;

/// <summary>
/// Who may approve: <c>approvers</c> from the default branch's settings when set (the list wins, whatever GitHub's
/// permission says); otherwise write, maintain or admin permission, cached for at most a minute.
/// </summary>
public sealed class ApproverCheck(Atom.Bot.GitHub.RepositoryPermissions permissions, TimeProvider clock)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, (bool Allowed, DateTimeOffset Until)> _cache = new(StringComparer.OrdinalIgnoreCase);

    public async Task<bool> IsApproverAsync(IGitHubClient client, string owner, string name, string login, RepoSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Approvers.Length > 0)
        {
            return settings.Approvers.Any(a => string.Equals(a, login, StringComparison.OrdinalIgnoreCase));
        }

        var key = $"{owner}/{name}/{login}";
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(key, out var cached) && cached.Until > now)
        {
            return cached.Allowed;
        }

        var allowed = await permissions.CanWriteAsync(client, owner, name, login, [], cancellationToken);
        _cache[key] = (allowed, now + CacheFor);
        return allowed;
    }
}
