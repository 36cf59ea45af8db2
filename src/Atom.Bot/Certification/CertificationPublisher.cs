using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Atom.Bot.Configuration;
using Atom.Bot.GitHub;
using Atom.Bot.Tasks;
using Atom.Bot.Telemetry;
using Octokit;

namespace Atom.Bot.Certification;

/// <summary>
/// Posts a certification package on GitHub: the pull request (created once per branch, updated on every revision), the
/// <c>atom/certification</c> check run (a commit status where a personal token cannot create check runs), the labels,
/// and a comment saying what happened. Safe to repeat: a retried job finds the pull request it opened before.
/// </summary>
public sealed partial class CertificationPublisher(
    GitHubClientFactory clients,
    GitHubConversation conversation,
    BotIdentity bots,
    Redactor redactor,
    ILogger<CertificationPublisher> logger)
{
    public const string CheckName = "atom/certification";
    public const string CertifiedLabel = "atom:certified";
    public const string NeedsAttentionLabel = "atom:needs-attention";
    public const string FailedLabel = "atom:failed";

    private const int MaxTitleLength = 256;
    private const int MaxStatusDescriptionLength = 140;

    public async Task<PublishOutcome> PublishAsync(long? installationId, long repositoryId, CertificationPackage package, long? knownPullRequest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(package);
        using var activity = AtomTelemetry.Start("publish");
        activity?.SetTag(AtomTelemetry.TaskId, package.TaskId);
        activity?.SetTag(AtomTelemetry.Repository, package.Repository);
        activity?.SetTag("atom.package.passed", package.Passed);
        var outcome = await PostAsync(installationId, repositoryId, package, knownPullRequest, cancellationToken);
        if (outcome.Package is { } published)
        {
            activity?.SetTag(AtomTelemetry.PullRequest, published.PullRequestNumber);
            activity?.SetTag(AtomTelemetry.Outcome, published.Created ? "created" : "updated");
        }
        else
        {
            activity.Fail("refused");
        }

        return outcome;
    }

    private async Task<PublishOutcome> PostAsync(long? installationId, long repositoryId, CertificationPackage package, long? knownPullRequest, CancellationToken cancellationToken)
    {
        var (owner, name) = Split(package.Repository);
        var client = await clients.CreateAsync(installationId, repositoryId, GitHubAccess.Certification, cancellationToken);
        package = Redacted(package);
        var title = Markdown.Plain(package.IssueTitle, MaxTitleLength);

        // Every field was redacted by its kind just above; the rendered body mixes identifiers (branch, paths) with text,
        // so the last pass only catches what can never be an ordinary word: long secrets and token-shaped strings.
        var body = redactor.RedactIdentifier(PackageBody.Render(package));

        var existing = await FindAsync(client, owner, name, package.Branch, knownPullRequest, installationId, cancellationToken);
        PullRequest pullRequest;
        var created = false;
        if (existing is not null)
        {
            pullRequest = existing;
        }
        else
        {
            try
            {
                (pullRequest, created) = await CreateAsync(client, owner, name, package, title, body, installationId, cancellationToken);
            }
            catch (ApiValidationException ex)
            {
                var reason = $"GitHub refused to open the pull request from `{package.Branch}` into `{package.DefaultBranch}`: {ValidationMessage(ex)}";
                Log.PullRequestRefused(logger, package.Repository, package.Branch, ValidationMessage(ex));
                return PublishOutcome.Refused(Redact(reason));
            }
        }

        CertificationPackage? previous = null;
        if (!created)
        {
            previous = PackageBody.Read(pullRequest.Body);
            pullRequest = await UpdateAsync(client, owner, name, package, pullRequest, title, body, cancellationToken);
        }

        if (created)
        {
            Log.Created(logger, package.Repository, package.IssueNumber, package.HeadSha, pullRequest.Number, package.Passed);
            await conversation.CommentAsync(client, owner, name, package.IssueNumber, OpenedComment(package, pullRequest), cancellationToken);
        }
        else
        {
            Log.Updated(logger, package.Repository, package.IssueNumber, package.HeadSha, pullRequest.Number, package.Passed);
            if (previous is null || previous.HeadSha != package.HeadSha || previous.Passed != package.Passed || previous.Rounds != package.Rounds)
            {
                await conversation.CommentAsync(client, owner, name, pullRequest.Number, UpdatedComment(package, previous), cancellationToken);
            }
        }

        await ReportAsync(client, owner, name, package, pullRequest.HtmlUrl, cancellationToken);
        await LabelAsync(client, owner, name, package, pullRequest, cancellationToken);
        return PublishOutcome.Published(new PublishedPackage(pullRequest.Number, pullRequest.HtmlUrl, created, pullRequest.Head?.Sha));
    }

    /// <summary>GitHub's validation message with each error's field and code ("head: invalid"), which the message alone does not name.</summary>
    private static string ValidationMessage(ApiValidationException ex)
    {
        var errors = ex.ApiError?.Errors?.Select(e => e.Message ?? string.Join(": ", new[] { e.Field, e.Code }.Where(p => !string.IsNullOrEmpty(p)))).Where(m => m.Length > 0).ToList() ?? [];
        return errors.Count > 0 ? $"{ex.ApiError?.Message ?? ex.Message} ({string.Join("; ", errors)})" : ex.ApiError?.Message ?? ex.Message;
    }

    /// <summary>
    /// An open pull request from <paramref name="branch"/> that someone other than Atom opened, or null. Atom never adopts
    /// one: a task whose branch already has such a pull request cannot offer its package there.
    /// </summary>
    public async Task<ForeignPullRequest?> ForeignPullRequestAsync(long? installationId, long repositoryId, string repository, string branch, CancellationToken cancellationToken)
    {
        var (owner, name) = Split(repository);
        var client = await clients.CreateAsync(installationId, repositoryId, GitHubAccess.Certification, cancellationToken);
        foreach (var candidate in await OpenFromAsync(client, owner, name, branch))
        {
            if (!await IsAtomsAsync(candidate, installationId, cancellationToken))
            {
                return new ForeignPullRequest(candidate.Number, candidate.User?.Login ?? "unknown");
            }
        }

        return null;
    }

    /// <summary>Tells the issue that the task produced nothing to certify, so there is no pull request.</summary>
    public async Task CommentFailureAsync(long? installationId, long repositoryId, string repository, int issueNumber, string reason, CancellationToken cancellationToken)
    {
        var (owner, name) = Split(repository);
        var client = await clients.CreateAsync(installationId, repositoryId, GitHubAccess.Conversation, cancellationToken);
        var body = new StringBuilder("❌ **Atom has no package to offer for this issue**, so there is no pull request.\n\n")
            .Append(Markdown.Paragraph(Redact(reason), 4_000)).Append("\n\n")
            .Append("Comment `/retry` to run the task again.");
        await conversation.CommentAsync(client, owner, name, issueNumber, body.ToString(), cancellationToken);
        Log.FailureCommented(logger, repository, issueNumber);
    }

    /// <summary>Opens the pull request; <c>Created</c> is false when GitHub says another attempt already opened it.</summary>
    private async Task<(PullRequest PullRequest, bool Created)> CreateAsync(
        IGitHubClient client, string owner, string name, CertificationPackage package, string title, string body, long? installationId, CancellationToken cancellationToken)
    {
        try
        {
            var pullRequest = await client.PullRequest.Create(owner, name, new NewPullRequest(title, package.Branch, package.DefaultBranch)
            {
                Body = body,
                Draft = !package.Passed,
            });
            return (pullRequest, true);
        }
        catch (ApiValidationException)
        {
            // 422, "A pull request already exists": another attempt won, or GitHub made the pull request but its answer was
            // lost and the retried request found it. The same body means the latter: this publication created it.
            var existing = await FindAsync(client, owner, name, package.Branch, null, installationId, cancellationToken);
            if (existing is not null)
            {
                Log.AlreadyExists(logger, package.Repository, package.Branch, existing.Number);
                return (existing, existing.Body == body);
            }

            if (package.Passed)
            {
                // A head or base GitHub cannot use, or a pull request someone else opened from Atom's branch (never adopted):
                // PublishAsync turns it into a refusal the task fails with.
                throw;
            }

            // Private repositories on GitHub Free have no draft pull requests; the check run and labels still say "failed".
            Log.DraftUnsupported(logger, package.Repository, package.Branch);
            var pullRequest = await client.PullRequest.Create(owner, name, new NewPullRequest(title, package.Branch, package.DefaultBranch) { Body = body });
            return (pullRequest, true);
        }
    }

    private async Task<PullRequest> UpdateAsync(
        IGitHubClient client, string owner, string name, CertificationPackage package, PullRequest pullRequest, string title, string body, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (pullRequest.Body != body || pullRequest.Title != title)
        {
            pullRequest = await client.PullRequest.Update(owner, name, pullRequest.Number, new PullRequestUpdate { Title = title, Body = body });
        }

        if (pullRequest.Draft == package.Passed)
        {
            await SetDraftAsync(client, package.Repository, pullRequest, !package.Passed, cancellationToken);
        }

        return pullRequest;
    }

    /// <summary>
    /// The open pull request from <paramref name="branch"/> that Atom opened, or null. One that someone else opened from
    /// Atom's branch is never adopted: Atom neither rewrites its body nor ever merges it.
    /// </summary>
    private async Task<PullRequest?> FindAsync(IGitHubClient client, string owner, string name, string branch, long? known, long? installationId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (known is { } number)
        {
            try
            {
                var pullRequest = await client.PullRequest.Get(owner, name, checked((int)number));
                if (IsOpenFrom(pullRequest, branch) && await IsAtomsAsync(pullRequest, installationId, cancellationToken))
                {
                    return pullRequest;
                }
            }
            catch (NotFoundException)
            {
            }
        }

        // Closed or merged pull requests from the same branch belong to earlier tasks; only an open one is this task's.
        foreach (var candidate in await OpenFromAsync(client, owner, name, branch))
        {
            if (await IsAtomsAsync(candidate, installationId, cancellationToken))
            {
                return candidate;
            }

            Log.NotAdopted(logger, $"{owner}/{name}", candidate.Number, candidate.User?.Login ?? "unknown", branch);
        }

        return null;
    }

    /// <summary>The open pull requests from <paramref name="branch"/> of this repository, oldest first.</summary>
    private static async Task<IEnumerable<PullRequest>> OpenFromAsync(IGitHubClient client, string owner, string name, string branch)
    {
        var candidates = await client.PullRequest.GetAllForRepository(owner, name,
            new PullRequestRequest { Head = $"{owner}:{branch}", State = ItemStateFilter.Open },
            new ApiOptions { PageSize = 100, PageCount = 1 });
        return candidates.Where(p => IsOpenFrom(p, branch)).OrderBy(p => p.Number);
    }

    private async Task<bool> IsAtomsAsync(PullRequest pullRequest, long? installationId, CancellationToken cancellationToken) =>
        pullRequest.User is { } user && await bots.IsSelfAsync(user.Id, user.Login, user.Type?.ToString(), installationId, cancellationToken);

    private static bool IsOpenFrom(PullRequest pullRequest, string branch) =>
        pullRequest.State.Value == ItemState.Open && pullRequest.Head?.Ref == branch;

    /// <summary>
    /// Says on GitHub that <paramref name="headSha"/> of a pull request Atom certified is not certified (someone else
    /// pushed it): a failing <c>atom/certification</c> check run (or commit status) on that head, and the
    /// <c>atom:certified</c> label swapped for <c>atom:needs-attention</c>, and a comment on the pull request saying why.
    /// The pull request's body is left as it is: it names the head it certified.
    /// </summary>
    public async Task WithdrawAsync(long? installationId, long repositoryId, string repository, int pullRequestNumber, string headSha, string reason, CancellationToken cancellationToken)
    {
        var (owner, name) = Split(repository);
        var client = await clients.CreateAsync(installationId, repositoryId, GitHubAccess.Certification, cancellationToken);
        var pullRequest = await client.PullRequest.Get(owner, name, pullRequestNumber);
        reason = Redact(reason);
        await ConcludeAsync(client, repository, headSha, passed: false, "Not certified", Markdown.Paragraph(reason, 4_000), reason, pullRequest.HtmlUrl, cancellationToken);
        await SwapLabelsAsync(client, owner, name, repository, pullRequest, [NeedsAttentionLabel], [CertifiedLabel], cancellationToken);
        await conversation.CommentAsync(client, owner, name, pullRequestNumber, $"⚠️ **Not certified.** {reason}", cancellationToken);
        Log.Withdrawn(logger, repository, pullRequestNumber, headSha);
    }

    /// <summary>The certified head is back after <see cref="WithdrawAsync"/> (its check run never changed): the labels say so again.</summary>
    public async Task RestoreAsync(long? installationId, long repositoryId, string repository, int pullRequestNumber, CancellationToken cancellationToken)
    {
        var (owner, name) = Split(repository);
        var client = await clients.CreateAsync(installationId, repositoryId, GitHubAccess.Conversation, cancellationToken);
        var pullRequest = await client.PullRequest.Get(owner, name, pullRequestNumber);
        await SwapLabelsAsync(client, owner, name, repository, pullRequest, [CertifiedLabel], [NeedsAttentionLabel], cancellationToken);
    }

    private async Task ReportAsync(IGitHubClient client, string owner, string name, CertificationPackage package, string url, CancellationToken cancellationToken)
    {
        var title = package.Passed ? "Certification passed" : "Certification did not pass";
        var reason = package.Passed ? $"round {package.Rounds}" : package.FailureReasons.Count > 0 ? package.FailureReasons[0] : "see the pull request";
        await ConcludeAsync(client, package.Repository, package.HeadSha, package.Passed, title, redactor.RedactIdentifier(CheckSummary(package)), reason, url, cancellationToken);
    }

    private async Task ConcludeAsync(
        IGitHubClient client, string repository, string sha, bool passed, string title, string summary, string statusReason, string url, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (owner, name) = Split(repository);
        try
        {
            await client.Check.Run.Create(owner, name, new NewCheckRun(CheckName, sha)
            {
                Status = CheckStatus.Completed,
                Conclusion = passed ? CheckConclusion.Success : CheckConclusion.Failure,
                DetailsUrl = url,
                Output = new NewCheckRunOutput(title, summary),
            });
        }
        catch (ForbiddenException ex) when (ex is not RateLimitExceededException and not SecondaryRateLimitExceededException)
        {
            // Only GitHub Apps may create check runs; a personal token gets 403 and reports a commit status instead.
            Log.CheckRunRefused(logger, repository, sha, ex.Message);
            cancellationToken.ThrowIfCancellationRequested();
            await client.Repository.Status.Create(owner, name, sha, new NewCommitStatus
            {
                State = passed ? CommitState.Success : CommitState.Failure,
                Context = CheckName,
                Description = Markdown.Plain($"{title}: {statusReason}", MaxStatusDescriptionLength),
                TargetUrl = url,
            });
        }
    }

    private static string CheckSummary(CertificationPackage package)
    {
        var summary = new StringBuilder(Markdown.Paragraph(package.Summary, 4_000));
        if (!package.Passed)
        {
            summary.Append("\n\n**Why it did not pass:**\n\n");
            foreach (var reason in package.FailureReasons.Take(20))
            {
                summary.Append("- ").Append(Markdown.Inline(reason, 300)).Append('\n');
            }
        }

        return summary.ToString();
    }

    private Task LabelAsync(IGitHubClient client, string owner, string name, CertificationPackage package, PullRequest pullRequest, CancellationToken cancellationToken) =>
        SwapLabelsAsync(client, owner, name, package.Repository, pullRequest,
            package.Passed ? [CertifiedLabel] : [NeedsAttentionLabel, FailedLabel],
            package.Passed ? [NeedsAttentionLabel, FailedLabel] : [CertifiedLabel],
            cancellationToken);

    private async Task SwapLabelsAsync(
        IGitHubClient client, string owner, string name, string repository, PullRequest pullRequest, string[] wanted, string[] stale, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await client.Issue.Labels.AddToIssue(owner, name, pullRequest.Number, wanted);
        var present = (pullRequest.Labels ?? []).Select(l => l.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var label in stale.Where(present.Contains))
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await client.Issue.Labels.RemoveFromIssue(owner, name, pullRequest.Number, label);
            }
            catch (NotFoundException)
            {
                Log.LabelAlreadyGone(logger, label, repository, pullRequest.Number);
            }
        }
    }

    /// <summary>
    /// REST cannot change whether a pull request is a draft; GraphQL can. A repository without draft pull requests answers
    /// with errors, which leave the pull request as it is (its check run and labels still tell the truth).
    /// </summary>
    private async Task SetDraftAsync(IGitHubClient client, string repository, PullRequest pullRequest, bool draft, CancellationToken cancellationToken)
    {
        if (!NodeId().IsMatch(pullRequest.NodeId ?? ""))
        {
            Log.DraftNotChanged(logger, repository, pullRequest.Number, draft ? "a draft" : "ready for review", "no node id");
            return;
        }

        var mutation = draft ? "convertPullRequestToDraft" : "markPullRequestReadyForReview";
        var query = new JsonObject
        {
            ["query"] = $"mutation {{ {mutation}(input: {{pullRequestId: \"{pullRequest.NodeId}\"}}) {{ pullRequest {{ isDraft }} }} }}",
        };
        // GraphQL lives at /graphql on github.com and at /api/graphql next to GitHub Enterprise's /api/v3/.
        var graphql = new Uri(client.Connection.BaseAddress, "../graphql");
        try
        {
            var response = await client.Connection.Post<object>(graphql, query.ToJsonString(), "application/json", "application/json", (IDictionary<string, string>?)null, cancellationToken);
            using var answer = JsonDocument.Parse(response.HttpResponse.Body as string ?? "{}");
            if (answer.RootElement.TryGetProperty("errors", out var errors))
            {
                Log.DraftNotChanged(logger, repository, pullRequest.Number, draft ? "a draft" : "ready for review", errors.ToString());
            }
        }
        catch (ApiException ex)
        {
            Log.DraftNotChanged(logger, repository, pullRequest.Number, draft ? "a draft" : "ready for review", ex.Message);
        }
    }

    private static string OpenedComment(CertificationPackage package, PullRequest pullRequest) => package.Proposal is not null
        ? $"✅ Atom built the approved proposal as #{pullRequest.Number} and certified it. It takes effect only when a human merges it; Atom never merges a proposal's pull request: {pullRequest.HtmlUrl}"
        : package.Passed
        ? $"✅ Atom opened #{pullRequest.Number} for this issue. The package passed certification and waits for approval: {pullRequest.HtmlUrl}"
        : $"❌ Atom opened #{pullRequest.Number} for this issue as a draft: the package did not pass certification (the reasons are at the top of the pull request). {pullRequest.HtmlUrl}";

    private static string UpdatedComment(CertificationPackage package, CertificationPackage? previous)
    {
        var comment = new StringBuilder("**Package updated** for head ").Append(Markdown.Code(Short(package.HeadSha)));
        if (previous is not null && previous.HeadSha != package.HeadSha)
        {
            comment.Append(" (was ").Append(Markdown.Code(Short(previous.HeadSha))).Append(')');
        }

        comment.Append(", round ").Append(package.Rounds).Append(": ");
        comment.Append(package.Passed
            ? "✅ it passed certification."
            : $"❌ it did not pass: {string.Join("; ", package.FailureReasons.Take(5).Select(r => Markdown.Inline(r, 200)))}.");
        if (previous is not null && previous.HeadSha != package.HeadSha)
        {
            comment.Append(" Approvals given on the earlier head are stale.");
        }

        return comment.ToString();
    }

    /// <summary>
    /// Every string of the package with secrets masked, before anything is rendered: escaping for markdown or JSON would
    /// change a secret's spelling (a backslash before '_', '+' as \u002B) and hide it from a later text search.
    /// </summary>
    private CertificationPackage Redacted(CertificationPackage package)
    {
        var node = JsonSerializer.SerializeToNode(package, JsonSerializerOptions.Web)!;
        RedactStrings(node);
        return node.Deserialize<CertificationPackage>(JsonSerializerOptions.Web)!;
    }

    /// <summary>Masks secrets in every string; identifiers (branch, SHA, paths, logins) by <see cref="Redaction.RedactField"/>'s rule.</summary>
    private void RedactStrings(JsonNode node, string? field = null)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (obj[key] is JsonValue value && value.TryGetValue<string>(out var text))
                    {
                        obj[key] = redactor.RedactField(key, text);
                    }
                    else if (obj[key] is { } child)
                    {
                        RedactStrings(child, key);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue value && value.TryGetValue<string>(out var text))
                    {
                        array[i] = redactor.RedactField(field, text);
                    }
                    else if (array[i] is { } child)
                    {
                        RedactStrings(child, field);
                    }
                }

                break;
        }
    }

    private string Redact(string text) => redactor.Redact(text);

    private static (string Owner, string Name) Split(string repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var slash = repository.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == repository.Length - 1)
        {
            throw new ArgumentException($"'{repository}' is not owner/name", nameof(repository));
        }

        return (repository[..slash], repository[(slash + 1)..]);
    }

    private static string Short(string sha) => sha.Length > 7 ? sha[..7] : sha;

    // GraphQL ids are base64-like; anything else is not spliced into a query.
    [GeneratedRegex("^[A-Za-z0-9_=+/-]+$")]
    private static partial Regex NodeId();
}
