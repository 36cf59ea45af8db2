using System.Net;
using Octokit;

namespace Atom.Bot.GitHub;

/// <summary>
/// Whether a branch's rulesets require signed commits: a <c>required_signatures</c> rule among those
/// <c>GET /repos/{owner}/{repo}/rules/branches/{branch}</c> lists (every active ruleset that targets the branch, from
/// the repository and its organization). Needs <c>metadata:read</c>.
/// </summary>
public sealed class SignatureRequirement
{
    public const string RuleType = "required_signatures";

    /// <summary>True when the rules require signatures; false when they do not, or the branch has no rules (404).</summary>
    /// <exception cref="ApiException">GitHub could not be read (after the client's retries).</exception>
    public async Task<bool> RequiredAsync(IGitHubClient client, string owner, string name, string branch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        cancellationToken.ThrowIfCancellationRequested();
        var uri = new Uri($"repos/{Uri.EscapeDataString(owner)}/{Uri.EscapeDataString(name)}/rules/branches/{Uri.EscapeDataString(branch)}", UriKind.Relative);
        try
        {
            var rules = await new ApiConnection(client.Connection).GetAll<BranchRule>(uri);
            return rules.Any(r => string.Equals(r.Type, RuleType, StringComparison.Ordinal));
        }
        catch (NotFoundException)
        {
            return false;
        }
        catch (ApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }
}
