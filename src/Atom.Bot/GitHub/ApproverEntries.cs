using System.Globalization;
using Atom.Bot.Storage;
using Octokit;

namespace Atom.Bot.GitHub;

/// <summary>
/// Matches a person against the <c>approvers</c> list of <c>.github/atom.yml</c>. An entry <c>id:&lt;number&gt;</c> names an
/// account by its numeric id. Any other entry is a login, which is bound to the account that held it the first time Atom
/// resolved it (<c>GET /users/{login}</c>, pinned per repository in <c>approver_logins</c>): the entry matches that account
/// only while it still has that login, so neither a renamed account (new login) nor whoever registers the freed login
/// (new id) matches it.
/// </summary>
public sealed class ApproverEntries(AtomDatabase database, TimeProvider clock)
{
    public const string IdPrefix = "id:";

    public async Task<bool> ListsAsync(IGitHubClient client, long repositoryId, IReadOnlyList<string> approvers, GitHubPerson person, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(approvers);
        ArgumentNullException.ThrowIfNull(person);
        foreach (var entry in approvers.Select(a => a.Trim()))
        {
            if (entry.StartsWith(IdPrefix, StringComparison.OrdinalIgnoreCase))
            {
                if (long.TryParse(entry[IdPrefix.Length..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id == person.Id)
                {
                    return true;
                }

                continue;
            }

            if (string.Equals(entry, person.Login, StringComparison.OrdinalIgnoreCase)
                && await PinnedIdAsync(client, repositoryId, entry, cancellationToken) == person.Id
                && await CurrentIdAsync(client, entry, cancellationToken) == person.Id)
            {
                return true;
            }
        }

        return false;
    }

    private async Task<long?> PinnedIdAsync(IGitHubClient client, long repositoryId, string login, CancellationToken cancellationToken)
    {
        var key = login.ToLowerInvariant();
        var pinned = await ReadPinAsync(repositoryId, key, cancellationToken);
        if (pinned is not null)
        {
            return pinned;
        }

        if (await CurrentIdAsync(client, login, cancellationToken) is not { } id)
        {
            return null;
        }

        await database.ExecuteAsync(
            "INSERT INTO approver_logins (repository_id, login, user_id, seen_at) VALUES ($repo, $login, $id, $now) ON CONFLICT DO NOTHING",
            cancellationToken,
            ("$repo", repositoryId),
            ("$login", key),
            ("$id", id),
            ("$now", clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)));
        return await ReadPinAsync(repositoryId, key, cancellationToken);
    }

    private async Task<long?> ReadPinAsync(long repositoryId, string key, CancellationToken cancellationToken) =>
        (await database.QueryAsync(
            "SELECT user_id FROM approver_logins WHERE repository_id = $repo AND login = $login",
            reader => (long?)reader.GetInt64(0),
            cancellationToken,
            ("$repo", repositoryId),
            ("$login", key))) is [var id, ..] ? id : null;

    /// <summary>The id of the account that has <paramref name="login"/> now; null when no account has it.</summary>
    private static async Task<long?> CurrentIdAsync(IGitHubClient client, string login, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return (await client.User.Get(login)).Id;
        }
        catch (NotFoundException)
        {
            return null;
        }
    }
}
