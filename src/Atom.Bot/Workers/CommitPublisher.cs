using System.Net;
using Atom.Bot.Audit;
using Atom.Bot.Configuration;
using Atom.Bot.Git;
using Atom.Bot.GitHub;
using Atom.Bot.Tasks;
using Octokit;

namespace Atom.Bot.Workers;

/// <summary>
/// Commits an assignment's work and puts it on its branch, verified when <c>ATOM_GIT_SIGNING</c> or the base branch's
/// rulesets ask for it: through GitHub's Git Data API for a GitHub App (GitHub signs what an App commits there), or
/// signed with Atom's SSH key and pushed; otherwise a plain commit and push.
/// </summary>
public sealed partial class CommitPublisher(
    GitWorkspace git,
    GitOptions gitOptions,
    GitHubClientFactory github,
    GitHubCredentials credentials,
    SignatureRequirement requirement,
    GitDataCommits gitData,
    ILogger<CommitPublisher> logger)
{
    public async Task<SigningPlan> PlanAsync(CommitTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var mode = gitOptions.SigningMode;
        var required = mode is GitSigningMode.Auto or GitSigningMode.None && await RequiredByBaseAsync(target, cancellationToken);
        // GitHub signs what the App commits through the API, not what a personal token commits there.
        var asApp = credentials.UsesApp && target.InstallationId is not null;
        return mode switch
        {
            GitSigningMode.Api when !asApp => new SigningPlan(CommitSigningMethod.Api, required,
                "ATOM_GIT_SIGNING=api needs a GitHub App (ATOM_GITHUB_APP_ID and ATOM_GITHUB_APP_PRIVATE_KEY_PATH, and a delivery from its installation): GitHub signs the commits an App makes through the Git Data API; use ssh to sign with a personal token"),
            GitSigningMode.Api => new SigningPlan(CommitSigningMethod.Api, required),
            GitSigningMode.Ssh => new SigningPlan(CommitSigningMethod.Ssh, required),
            GitSigningMode.Auto when required => new SigningPlan(asApp ? CommitSigningMethod.Api : CommitSigningMethod.Ssh, required),
            _ => new SigningPlan(CommitSigningMethod.None, required),
        };
    }

    /// <summary>
    /// Commits what changed in <paramref name="checkout"/> (only <paramref name="onlyPaths"/>, when given) and puts it on
    /// the checkout's branch, as <paramref name="plan"/> says. Null when nothing changed.
    /// </summary>
    /// <exception cref="GitCommandException">The SSH key could not be made or used (e.g. no <c>ssh-keygen</c>).</exception>
    public async Task<PublishedCommit?> CommitAndPushAsync(
        CommitTarget target,
        Checkout checkout,
        SigningPlan plan,
        string message,
        IReadOnlyList<KeyValuePair<string, string>> trailers,
        IReadOnlyCollection<string>? onlyPaths,
        string token,
        CancellationToken cancellationToken)
    {
        var commit = await CommitAsync(checkout, plan, message, trailers, onlyPaths, cancellationToken);
        return commit is null ? null : await PushAsync(target, checkout, plan, commit, token, cancellationToken);
    }

    /// <summary>The local commit: SSH-signed when <paramref name="plan"/> says so. Null when nothing changed.</summary>
    /// <exception cref="GitCommandException">The SSH key could not be made or used (e.g. no <c>ssh-keygen</c>).</exception>
    public async Task<CommitOutcome?> CommitAsync(
        Checkout checkout,
        SigningPlan plan,
        string message,
        IReadOnlyList<KeyValuePair<string, string>> trailers,
        IReadOnlyCollection<string>? onlyPaths,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var key = plan.Method == CommitSigningMethod.Ssh ? await git.SigningKeyAsync(cancellationToken) : null;
        return await git.CommitAllAsync(checkout, message, trailers, cancellationToken, onlyPaths, key);
    }

    /// <summary>
    /// Puts <paramref name="commit"/> (made by <see cref="CommitAsync"/>) on the checkout's branch: a push, or for
    /// <see cref="CommitSigningMethod.Api"/> the same commit made by GitHub through the Git Data API.
    /// </summary>
    public async Task<PublishedCommit> PushAsync(CommitTarget target, Checkout checkout, SigningPlan plan, CommitOutcome commit, string token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(checkout);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(commit);
        if (plan.Method != CommitSigningMethod.Api)
        {
            var push = await git.PushAsync(checkout, token, cancellationToken);
            var signature = commit.SigningKeyFingerprint is { } fingerprint ? new CommitSignature("ssh", KeyFingerprint: fingerprint) : new CommitSignature("none");
            return new PublishedCommit(commit, commit.Sha, push.Succeeded ? null : push.Reason ?? push.Failure.ToString(), $"git commit; git push origin {checkout.Branch}", signature);
        }

        return await PushThroughApiAsync(target, checkout, commit, token, cancellationToken);
    }

    // GitHub makes the commit from the same tree, parent and message; the local commit only ever served to compute the tree.
    private async Task<PublishedCommit> PushThroughApiAsync(CommitTarget target, Checkout checkout, CommitOutcome commit, string token, CancellationToken cancellationToken)
    {
        var command = $"git commit; GitHub Git Data API: blobs, tree, commit, refs/heads/{checkout.Branch}";
        var request = Request(await git.ReadCommitAsync(checkout.Repository, commit.Sha, cancellationToken), null);
        var client = await github.CreateAsync(target.InstallationId, target.RepositoryId, GitHubAccess.Push, cancellationToken);
        GitDataPush push;
        try
        {
            push = await gitData.PushAsync(client, target.Repository.Owner, target.Repository.Name, checkout.Branch, checkout.ContinuesExistingBranch, request, cancellationToken);
        }
        catch (ApiException ex) when (ex.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity)
        {
            push = new GitDataPush(null, null, false, null, $"GitHub refused the commit through the Git Data API ({(int)ex.StatusCode}): {ex.Message}");
        }

        if (!push.Succeeded)
        {
            LogApiCommitFailed(logger, checkout.Branch, commit.Sha, push.Failure!);
            return new PublishedCommit(commit, push.Sha ?? commit.Sha, push.Failure, command, new CommitSignature("api", push.Sha is null ? null : push.Verified, push.VerificationReason));
        }

        // The mirror learns the branch's new head (GitHub's commit), which the evaluation diffs, tests and certifies.
        await git.FetchAsync(checkout.Repository, token, cancellationToken);
        LogApiCommit(logger, push.Sha!, checkout.Branch, commit.Sha, push.Verified, push.VerificationReason ?? "");
        return new PublishedCommit(commit, push.Sha!, null, command, new CommitSignature("api", push.Verified, push.VerificationReason));
    }

    /// <summary>
    /// Combines the assignment branches into the task branch (<see cref="GitWorkspace.CombineAsync"/>) with its merge
    /// commits made as <see cref="PlanAsync"/> says: SSH-signed in the mirror and pushed, or made by GitHub through the
    /// Git Data API, each on the one before (their trees checked like an assignment's), after which the assignment
    /// branches are deleted and the task branch is created at GitHub's last commit (GitHub cannot hold <c>a/b</c> beside
    /// <c>a/b/1</c>, so the deletions come first).
    /// </summary>
    /// <exception cref="GitCommandException">The remote cannot be fetched, or the SSH key cannot be made or used.</exception>
    public async Task<CombineOutcome> CombineAsync(AtomTask task, IReadOnlyList<string> branches, string targetBranch, string token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(branches);
        var repository = new RepositoryRef(task.Owner, task.Name, task.CloneUrl);
        var plan = await PlanAsync(CommitTarget.Of(task), cancellationToken);
        if (plan.Method == CommitSigningMethod.Ssh)
        {
            var key = await git.SigningKeyAsync(cancellationToken);
            return await git.CombineAsync(repository, task.DefaultBranch, branches, targetBranch, token, cancellationToken, key);
        }

        if (plan.Method != CommitSigningMethod.Api || plan.Problem is not null)
        {
            return await git.CombineAsync(repository, task.DefaultBranch, branches, targetBranch, token, cancellationToken);
        }

        var merged = await git.CombineAsync(repository, task.DefaultBranch, branches, targetBranch, token, cancellationToken, push: false);
        if (!merged.Succeeded)
        {
            return merged;
        }

        var client = await github.CreateAsync(task.InstallationId, task.RepositoryId, GitHubAccess.Push, cancellationToken);
        var made = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var merge in merged.MergeCommits)
            {
                var commit = await gitData.CommitAsync(client, task.Owner, task.Name, Request(await git.ReadCommitAsync(repository, merge, cancellationToken), made), cancellationToken);
                if (!commit.Succeeded)
                {
                    LogApiCommitFailed(logger, targetBranch, merge, commit.Failure!);
                    return NotCombined(targetBranch, merge, commit.Failure!);
                }

                made[merge] = commit.Sha!;
                LogApiCommit(logger, commit.Sha!, targetBranch, merge, commit.Verified, commit.VerificationReason ?? "");
            }

            var head = made.GetValueOrDefault(merged.Sha!, merged.Sha!);
            var exists = await git.HeadOfAsync(repository, targetBranch, cancellationToken) is not null;
            foreach (var branch in branches.Where(b => b != targetBranch).Distinct())
            {
                await gitData.DeleteBranchAsync(client, task.Owner, task.Name, branch, cancellationToken);
            }

            if (await gitData.MoveBranchAsync(client, task.Owner, task.Name, targetBranch, head, exists, cancellationToken) is { } refused)
            {
                LogApiCommitFailed(logger, targetBranch, merged.Sha!, refused);
                return NotCombined(targetBranch, head, refused);
            }

            await git.FetchAsync(repository, token, cancellationToken);
            return CombineOutcome.Combined(targetBranch, head, PushOutcome.Pushed(targetBranch, head)) with { MergeCommits = [.. merged.MergeCommits.Select(m => made[m])] };
        }
        catch (ApiException ex) when (ex.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity)
        {
            return NotCombined(targetBranch, merged.Sha!, $"GitHub refused the combination through the Git Data API ({(int)ex.StatusCode}): {ex.Message}");
        }
    }

    private static CombineOutcome NotCombined(string target, string sha, string reason) =>
        CombineOutcome.NotPushed(target, sha, PushOutcome.Rejected(target, sha, PushFailure.RemoteRejected, reason));

    // Parents already remade through the API (a merge on a merge) are named by GitHub's SHA; their trees are the same.
    private static GitDataCommitRequest Request(CommitContents contents, IReadOnlyDictionary<string, string>? made) => new(
        contents.Parents.Select(p => made?.GetValueOrDefault(p, p) ?? p).ToList(),
        contents.ParentTreeSha,
        contents.TreeSha,
        contents.Message,
        contents.Files.Select(f => new GitDataFile(f.Path, f.Mode, f.Content)).ToList());

    private async Task<bool> RequiredByBaseAsync(CommitTarget target, CancellationToken cancellationToken)
    {
        var client = await github.CreateAsync(target.InstallationId, target.RepositoryId, GitHubAccess.Read, cancellationToken);
        try
        {
            return await requirement.RequiredAsync(client, target.Repository.Owner, target.Repository.Name, target.DefaultBranch, cancellationToken);
        }
        catch (ApiException ex)
        {
            // Unknown is treated as "not required": a base that does require signatures then refuses the push, with its reason.
            LogRulesUnreadable(logger, target.DefaultBranch, (int)ex.StatusCode, ex.Message);
            return false;
        }
    }

    [LoggerMessage(EventId = 5040, Level = LogLevel.Information, Message = "GitHub made {Sha} on {Branch} through the Git Data API from the local commit {LocalSha} (verified: {Verified}, {Reason})")]
    private static partial void LogApiCommit(ILogger logger, string sha, string branch, string localSha, bool verified, string reason);

    [LoggerMessage(EventId = 5041, Level = LogLevel.Error, Message = "The commit of {Branch} through the Git Data API failed (local commit {LocalSha}): {Failure}")]
    private static partial void LogApiCommitFailed(ILogger logger, string branch, string localSha, string failure);

    [LoggerMessage(EventId = 5042, Level = LogLevel.Warning, Message = "The rules of {Branch} could not be read ({Status}): {Reason}; signed commits are taken as not required")]
    private static partial void LogRulesUnreadable(ILogger logger, string branch, int status, string reason);
}
