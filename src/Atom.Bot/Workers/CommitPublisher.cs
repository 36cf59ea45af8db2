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
    public async Task<SigningPlan> PlanAsync(AtomTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        var mode = gitOptions.SigningMode;
        var required = mode is GitSigningMode.Auto or GitSigningMode.None && await RequiredByBaseAsync(task, cancellationToken);
        // GitHub signs what the App commits through the API, not what a personal token commits there.
        var asApp = credentials.UsesApp && task.InstallationId is not null;
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
    /// Commits what changed in <paramref name="checkout"/> (only <paramref name="onlyPaths"/>) as <paramref name="plan"/>
    /// says and puts it on the checkout's branch. Null when nothing changed.
    /// </summary>
    /// <exception cref="GitCommandException">The SSH key could not be made or used (e.g. no <c>ssh-keygen</c>).</exception>
    public async Task<PublishedCommit?> CommitAndPushAsync(
        AtomTask task,
        Checkout checkout,
        SigningPlan plan,
        string message,
        IReadOnlyList<KeyValuePair<string, string>> trailers,
        IReadOnlyCollection<string> onlyPaths,
        string token,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(checkout);
        ArgumentNullException.ThrowIfNull(plan);
        var key = plan.Method == CommitSigningMethod.Ssh ? await git.SigningKeyAsync(cancellationToken) : null;
        var commit = await git.CommitAllAsync(checkout, message, trailers, cancellationToken, onlyPaths, key);
        if (commit is null)
        {
            return null;
        }

        if (plan.Method != CommitSigningMethod.Api)
        {
            var push = await git.PushAsync(checkout, token, cancellationToken);
            var signature = key is null ? new CommitSignature("none") : new CommitSignature("ssh", KeyFingerprint: commit.SigningKeyFingerprint);
            return new PublishedCommit(commit, commit.Sha, push.Succeeded ? null : push.Reason ?? push.Failure.ToString(), $"git commit; git push origin {checkout.Branch}", signature);
        }

        return await PushThroughApiAsync(task, checkout, commit, token, cancellationToken);
    }

    // GitHub makes the commit from the same tree, parent and message; the local commit only ever served to compute the tree.
    private async Task<PublishedCommit> PushThroughApiAsync(AtomTask task, Checkout checkout, CommitOutcome commit, string token, CancellationToken cancellationToken)
    {
        var command = $"git commit; GitHub Git Data API: blobs, tree, commit, refs/heads/{checkout.Branch}";
        var contents = await git.ReadCommitAsync(checkout, commit.Sha, cancellationToken);
        var request = new GitDataCommitRequest(
            contents.ParentSha,
            contents.ParentTreeSha,
            contents.TreeSha,
            contents.Message,
            contents.Files.Select(f => new GitDataFile(f.Path, f.Mode, f.Content)).ToList());
        var client = await github.CreateAsync(task.InstallationId, task.RepositoryId, GitHubAccess.Push, cancellationToken);
        GitDataPush push;
        try
        {
            push = await gitData.PushAsync(client, task.Owner, task.Name, checkout.Branch, checkout.ContinuesExistingBranch, request, cancellationToken);
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

    private async Task<bool> RequiredByBaseAsync(AtomTask task, CancellationToken cancellationToken)
    {
        var client = await github.CreateAsync(task.InstallationId, task.RepositoryId, GitHubAccess.Read, cancellationToken);
        try
        {
            return await requirement.RequiredAsync(client, task.Owner, task.Name, task.DefaultBranch, cancellationToken);
        }
        catch (ApiException ex)
        {
            // Unknown is treated as "not required": a base that does require signatures then refuses the push, with its reason.
            LogRulesUnreadable(logger, task.DefaultBranch, (int)ex.StatusCode, ex.Message);
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
