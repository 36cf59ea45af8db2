using System.Globalization;
using System.Text.Json;
using Octokit;

namespace Atom.Bot.GitHub;

/// <summary>
/// Reads what protects a branch before Atom merges into it: the rules of every ruleset that applies to it
/// (<c>GET /repos/{owner}/{repo}/rules/branches/{branch}</c>, readable with Metadata read) and its classic branch
/// protection (<c>GET /repos/{owner}/{repo}/branches/{branch}/protection</c>, which needs Administration read: without
/// it Atom relies on the rulesets and says so). Also where the required checks stand on a commit, and how many approving
/// pull request reviews a pull request has: what GitHub will look at when asked to merge.
/// </summary>
public sealed partial class BranchRulesReader(GitHubClientFactory github, ILogger<BranchRulesReader> logger)
{
    public async Task<BranchRules> ReadAsync(
        IGitHubClient client, long? installationId, long repositoryId, string owner, string name, string branch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var repo = $"repos/{Uri.EscapeDataString(owner)}/{Uri.EscapeDataString(name)}";
        var checks = new List<RequiredCheck>();
        string? queue = null;
        var reviews = 0;
        var codeOwners = false;
        var dismissStale = false;
        var signatures = false;
        var reviewRules = new List<string>();

        // A ruleset's pull_request rule and classic protection's required reviews say the same things under other names.
        void ReadReviews(JsonElement rule, string codeOwnersKey, string dismissStaleKey, string source)
        {
            var count = rule.TryGetProperty("required_approving_review_count", out var n) && n.TryGetInt32(out var value) ? value : 0;
            var owners = rule.TryGetProperty(codeOwnersKey, out var o) && o.ValueKind == JsonValueKind.True;
            if (count > 0 || owners)
            {
                reviews = Math.Max(reviews, count);
                codeOwners |= owners;
                dismissStale |= rule.TryGetProperty(dismissStaleKey, out var d) && d.ValueKind == JsonValueKind.True;
                reviewRules.Add(source);
            }
        }

        using (var rules = await GetJsonAsync(client, $"{repo}/rules/branches/{Uri.EscapeDataString(branch)}", cancellationToken, ("per_page", "100")))
        {
            foreach (var rule in rules?.RootElement.EnumerateArray() ?? default)
            {
                var source = RulesetName(rule);
                var parameters = rule.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
                switch (rule.TryGetProperty("type", out var t) ? t.GetString() : null)
                {
                    case "merge_queue":
                        queue ??= source;
                        break;
                    case "required_signatures":
                        signatures = true;
                        break;
                    case "required_status_checks" when parameters.ValueKind == JsonValueKind.Object
                        && parameters.TryGetProperty("required_status_checks", out var required) && required.ValueKind == JsonValueKind.Array:
                        checks.AddRange(required.EnumerateArray()
                            .Select(c => c.TryGetProperty("context", out var context) ? context.GetString() : null)
                            .OfType<string>()
                            .Select(c => new RequiredCheck(c, source)));
                        break;
                    case "pull_request" when parameters.ValueKind == JsonValueKind.Object:
                        ReadReviews(parameters, "require_code_owner_review", "dismiss_stale_reviews_on_push", source);
                        break;
                }
            }
        }

        string? unread = null;
        try
        {
            // A token of its own: Administration read is optional, and an installation without it must still merge.
            var admin = await github.CreateAsync(installationId, repositoryId, GitHubAccess.Protection, cancellationToken);
            using var protection = await GetJsonAsync(admin, $"{repo}/branches/{Uri.EscapeDataString(branch)}/protection", cancellationToken);
            if (protection?.RootElement is { ValueKind: JsonValueKind.Object } classic)
            {
                const string Source = "branch protection";
                if (classic.TryGetProperty("required_status_checks", out var status) && status.ValueKind == JsonValueKind.Object)
                {
                    var contexts = status.TryGetProperty("contexts", out var c) && c.ValueKind == JsonValueKind.Array
                        ? c.EnumerateArray().Select(e => e.GetString()).OfType<string>()
                        : [];
                    var named = status.TryGetProperty("checks", out var k) && k.ValueKind == JsonValueKind.Array
                        ? k.EnumerateArray().Select(e => e.TryGetProperty("context", out var x) ? x.GetString() : null).OfType<string>()
                        : [];
                    checks.AddRange(contexts.Concat(named).Distinct(StringComparer.Ordinal).Select(x => new RequiredCheck(x, Source)));
                }

                if (classic.TryGetProperty("required_pull_request_reviews", out var pr) && pr.ValueKind == JsonValueKind.Object)
                {
                    ReadReviews(pr, "require_code_owner_reviews", "dismiss_stale_reviews", Source);
                }

                signatures |= classic.TryGetProperty("required_signatures", out var s) && s.TryGetProperty("enabled", out var e) && e.ValueKind == JsonValueKind.True;
            }
        }
        catch (Exception ex) when (ex is GitHubTokenRefusedException or ForbiddenException or AuthorizationException)
        {
            unread = "the classic branch protection could not be read (Atom's GitHub App has no Administration read permission there), so only the rulesets were read";
            LogProtectionUnread(logger, owner, name, branch, ex.Message);
        }

        return new BranchRules
        {
            MergeQueueRule = queue,
            RequiredChecks = checks.DistinctBy(c => c.Context, StringComparer.Ordinal).ToList(),
            RequiredApprovingReviews = reviews,
            CodeOwnerReview = codeOwners,
            DismissStaleReviews = dismissStale,
            ReviewRule = reviewRules.Count == 0 ? null : string.Join(" and ", reviewRules.Distinct(StringComparer.Ordinal)),
            SignaturesRequired = signatures,
            Unread = unread,
        };
    }

    /// <summary>
    /// Where each required check stands on <paramref name="sha"/>: the newest check run of that name, else the commit status
    /// of that context. A check not reported yet is pending.
    /// </summary>
    public static async Task<IReadOnlyList<CheckOutcome>> CheckOutcomesAsync(
        IGitHubClient client, string owner, string name, string sha, IReadOnlyList<RequiredCheck> required, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(required);
        if (required.Count == 0)
        {
            return [];
        }

        cancellationToken.ThrowIfCancellationRequested();
        var runs = (await client.Check.Run.GetAllForReference(owner, name, sha)).CheckRuns;
        var statuses = (await client.Repository.Status.GetCombined(owner, name, sha)).Statuses;
        var outcomes = new List<CheckOutcome>();
        foreach (var check in required)
        {
            if (runs.Where(r => r.Name == check.Context).MaxBy(r => r.Id) is { } run)
            {
                var conclusion = run.Conclusion?.StringValue;
                outcomes.Add(run.Status.StringValue != "completed" || conclusion is null
                    ? new CheckOutcome(check, CheckVerdict.Pending, "pending")
                    : new CheckOutcome(check, conclusion is "success" or "neutral" or "skipped" ? CheckVerdict.Passed : CheckVerdict.Failed, conclusion));
            }
            else if (statuses.Where(s => s.Context == check.Context).MaxBy(s => s.Id) is { } status)
            {
                var state = status.State.StringValue;
                outcomes.Add(new CheckOutcome(check, state switch
                {
                    "success" => CheckVerdict.Passed,
                    "failure" or "error" => CheckVerdict.Failed,
                    _ => CheckVerdict.Pending,
                }, state));
            }
            else
            {
                outcomes.Add(new CheckOutcome(check, CheckVerdict.Pending, "not reported yet"));
            }
        }

        return outcomes;
    }

    /// <summary>
    /// The people whose latest review of the pull request approves it, the way GitHub counts them (a later review by the
    /// same person replaces the earlier one); with <paramref name="onlyOn"/>, only approvals given on that commit count.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ApprovingReviewersAsync(
        IGitHubClient client, string owner, string name, int number, string? onlyOn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        cancellationToken.ThrowIfCancellationRequested();
        var reviews = await client.PullRequest.Review.GetAll(owner, name, number);
        return reviews
            .Where(r => r.User is not null && r.State.StringValue is "APPROVED" or "CHANGES_REQUESTED" or "DISMISSED")
            .GroupBy(r => r.User.Id)
            .Select(g => g.MaxBy(r => r.Id)!)
            .Where(r => r.State.StringValue == "APPROVED" && (onlyOn is null || r.CommitId == onlyOn))
            .Select(r => r.User.Login)
            .ToList();
    }

    private static string RulesetName(JsonElement rule) =>
        rule.TryGetProperty("ruleset_id", out var id) && id.TryGetInt64(out var number)
            ? $"ruleset {number.ToString(CultureInfo.InvariantCulture)}{(rule.TryGetProperty("ruleset_source", out var source) && source.GetString() is { } s ? $" of {s}" : "")}"
            : "a ruleset";

    private static async Task<JsonDocument?> GetJsonAsync(IGitHubClient client, string path, CancellationToken cancellationToken, params (string Name, string Value)[] query)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            var response = await client.Connection.Get<object>(new Uri(path, UriKind.Relative), query.ToDictionary(q => q.Name, q => q.Value));
            return JsonDocument.Parse(response.HttpResponse.Body as string ?? "null");
        }
        catch (NotFoundException)
        {
            // No ruleset applies, or the branch is not protected.
            return null;
        }
    }

    [LoggerMessage(EventId = 5303, Level = LogLevel.Information, Message = "Branch protection of {Owner}/{Name}:{Branch} not readable, relying on rulesets: {Reason}")]
    private static partial void LogProtectionUnread(ILogger logger, string owner, string name, string branch, string reason);
}
