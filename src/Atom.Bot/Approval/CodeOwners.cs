using System.Net;
using System.Text;
using System.Text.Json;
using Atom.Bot.Certification;
using Atom.Bot.GitHub;
using Atom.Bot.Tasks;
using Octokit;

namespace Atom.Bot.Approval;

/// <summary>
/// <c>codeowners: true</c>: the approvals of a certified head must include, for every path the package changes, one of
/// the owners the default branch's CODEOWNERS gives that path (the last matching rule). A user owner counts by login, a
/// team owner (<c>@org/team</c>) through its members (<c>GET /orgs/{org}/teams/{team_slug}/members</c>); email owners
/// cannot be matched to an account and never count. A path no rule owns needs no owner.
/// </summary>
public sealed partial class CodeOwners(GitHubClientFactory github, ILogger<CodeOwners> logger)
{
    /// <summary>The changed paths of the task's certified package that no counted approver owns.</summary>
    public async Task<IReadOnlyList<UnownedPath>> MissingAsync(IGitHubClient client, AtomTask task, IReadOnlyList<GitHubPerson> approvers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(approvers);
        var file = await ReadAsync(client, task.Owner, task.Name, task.DefaultBranch, cancellationToken);
        var teams = new Dictionary<string, IReadOnlyList<GitHubPerson>?>(StringComparer.OrdinalIgnoreCase);
        IGitHubClient? membersClient = null;
        var approverIds = approvers.Select(a => a.Id).ToHashSet();
        var approverLogins = approvers.Select(a => a.Login).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var missing = new List<UnownedPath>();
        foreach (var path in ChangedPaths(task))
        {
            var owners = file.OwnersOf(path);
            if (owners.Count == 0)
            {
                continue;
            }

            var candidates = new List<string>();
            var owned = false;
            foreach (var owner in owners.Where(o => o.StartsWith('@')))
            {
                var name = owner[1..];
                if (name.Contains('/', StringComparison.Ordinal))
                {
                    if (!teams.TryGetValue(name, out var members))
                    {
                        membersClient ??= await MembersClientAsync(task, client, cancellationToken);
                        members = await MembersAsync(membersClient, name, cancellationToken);
                        teams[name] = members;
                    }

                    owned |= members?.Any(m => approverIds.Contains(m.Id)) == true;
                    candidates.AddRange(members is null ? [$"{owner} (its members could not be read)"] : members.Select(m => "@" + m.Login));
                }
                else
                {
                    owned |= approverLogins.Contains(name);
                    candidates.Add(owner);
                }
            }

            if (!owned)
            {
                missing.Add(new UnownedPath(path, owners, candidates.Distinct(StringComparer.OrdinalIgnoreCase).ToList()));
            }
        }

        return missing;
    }

    /// <summary>The comment that says which paths still need a code owner's approval, and whose.</summary>
    public static string Message(string sha, IReadOnlyList<UnownedPath> missing, int shown = 50)
    {
        ArgumentNullException.ThrowIfNull(missing);
        var text = new StringBuilder("⏸️ **Not merged yet:** `codeowners` is on, and the approvals of `")
            .Append(sha.Length > 7 ? sha[..7] : sha)
            .Append("` do not include a code owner of ")
            .Append(missing.Count == 1 ? "this path" : $"these {missing.Count} paths")
            .Append(" (CODEOWNERS on the default branch). An approval by one of the people named, who must also be an approver, lets it merge.\n\n");
        foreach (var path in missing.Take(shown))
        {
            text.Append("- `").Append(path.Path.Replace("`", "'", StringComparison.Ordinal)).Append("`: owned by ").Append(string.Join(", ", path.Owners))
                .Append(path.Candidates.Count > 0 ? $"; can be approved by {string.Join(", ", path.Candidates)}" : "; no owner can be matched to a GitHub account")
                .Append('\n');
        }

        if (missing.Count > shown)
        {
            text.Append("- … and ").Append(missing.Count - shown).Append(" more\n");
        }

        return text.ToString();
    }

    /// <summary>The paths of the certified package (both sides of a rename): what merges is what was certified.</summary>
    private static IEnumerable<string> ChangedPaths(AtomTask task)
    {
        var package = task.Package is null ? null : JsonSerializer.Deserialize<CertificationPackage>(task.Package, JsonSerializerOptions.Web);
        return (package?.Changes ?? []).SelectMany(c => c.OldPath is { } old && old != c.Path ? new[] { c.Path, old } : [c.Path]).Distinct(StringComparer.Ordinal);
    }

    /// <summary>The first CODEOWNERS of the default branch in GitHub's order; none is an empty file (no path has an owner).</summary>
    private static async Task<CodeOwnersFile> ReadAsync(IGitHubClient client, string owner, string name, string defaultBranch, CancellationToken cancellationToken)
    {
        foreach (var location in CodeOwnersFile.Locations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var contents = await client.Repository.Content.GetAllContentsByRef(owner, name, location, defaultBranch);
                if (contents.FirstOrDefault(c => c.Type == ContentType.File) is { } file)
                {
                    return CodeOwnersFile.Parse(file.Content);
                }
            }
            catch (NotFoundException)
            {
            }
        }

        return CodeOwnersFile.Empty;
    }

    /// <summary>
    /// Team members need the organisation's Members read permission, which only <c>codeowners</c> asks for: with a GitHub App
    /// a token of its own, so that an installation without it still merges everything else. A refused token reads nothing.
    /// </summary>
    private async Task<IGitHubClient?> MembersClientAsync(AtomTask task, IGitHubClient fallback, CancellationToken cancellationToken)
    {
        try
        {
            return task.InstallationId is null ? fallback : await github.CreateAsync(task.InstallationId, task.RepositoryId, GitHubAccess.Members, cancellationToken);
        }
        catch (GitHubTokenRefusedException ex)
        {
            LogMembersRefused(logger, task.Repository, ex.Message);
            return null;
        }
    }

    /// <summary>A team's members, or null when GitHub will not say (no such team, or the App lacks Members read).</summary>
    private async Task<IReadOnlyList<GitHubPerson>?> MembersAsync(IGitHubClient? client, string team, CancellationToken cancellationToken)
    {
        if (client is null)
        {
            return null;
        }

        var slash = team.IndexOf('/', StringComparison.Ordinal);
        var org = Uri.EscapeDataString(team[..slash]);
        var slug = Uri.EscapeDataString(team[(slash + 1)..]);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            var members = await new ApiConnection(client.Connection).GetAll<User>(new Uri($"orgs/{org}/teams/{slug}/members", UriKind.Relative));
            return members.Select(m => new GitHubPerson(m.Id, m.Login)).ToList();
        }
        catch (ApiException ex) when (ex.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
        {
            LogTeamUnreadable(logger, team, (int)ex.StatusCode);
            return null;
        }
    }

    [LoggerMessage(EventId = 750, Level = LogLevel.Warning, Message = "Code owners: the members of team {Team} could not be read ({Status}); its members cannot count as owners")]
    private static partial void LogTeamUnreadable(ILogger logger, string team, int status);

    [LoggerMessage(EventId = 752, Level = LogLevel.Warning, Message = "Code owners of {Repository}: GitHub refused a token with Members read ({Reason}); team owners cannot count")]
    private static partial void LogMembersRefused(ILogger logger, string repository, string reason);
}
