using System.Text.Json.Nodes;
using Octokit;

namespace Atom.Bot.GitHub;

/// <summary>
/// Makes a commit through GitHub's Git Data API and moves a branch to it: a blob per changed file, a tree on the
/// parent's tree, a commit with no author or committer given (so that GitHub makes and signs it for the App: the commit
/// is then "Verified"), and the branch ref created or fast-forwarded, never forced. The tree GitHub built must be the
/// expected one to the byte (same SHA), or nothing is committed and the branch is not touched.
/// Needs <c>contents:write</c>.
/// </summary>
public sealed class GitDataCommits
{
    /// <summary>Makes the commit (<see cref="CommitAsync"/>) and moves <paramref name="branch"/> to it (<see cref="MoveBranchAsync"/>).</summary>
    public async Task<GitDataPush> PushAsync(
        IGitHubClient client,
        string owner,
        string name,
        string branch,
        bool branchExists,
        GitDataCommitRequest request,
        CancellationToken cancellationToken)
    {
        var commit = await CommitAsync(client, owner, name, request, cancellationToken);
        if (!commit.Succeeded)
        {
            return commit;
        }

        var moved = await MoveBranchAsync(client, owner, name, branch, commit.Sha!, branchExists, cancellationToken);
        return moved is null ? commit : commit with { Failure = moved };
    }

    /// <summary>Blobs, the tree (checked against the expected SHA) and the commit; no ref moves.</summary>
    public async Task<GitDataPush> CommitAsync(IGitHubClient client, string owner, string name, GitDataCommitRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(request);
        var entries = new JsonArray();
        foreach (var file in request.Files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var entry = new JsonObject { ["path"] = file.Path, ["mode"] = file.Mode, ["type"] = "blob" };
            if (file.Content is null)
            {
                // GitHub deletes a path of the base tree given with "sha": null.
                entry["sha"] = null;
            }
            else
            {
                var blob = await client.Git.Blob.Create(owner, name, new NewBlob { Content = Convert.ToBase64String(file.Content), Encoding = EncodingType.Base64 });
                entry["sha"] = blob.Sha;
            }

            entries.Add(entry);
        }

        // Written as JSON here rather than as Octokit's NewTree, which leaves a null "sha" out (and so cannot delete).
        var treeBody = new JsonObject { ["base_tree"] = request.ParentTreeSha, ["tree"] = entries }.ToJsonString();
        var tree = await new ApiConnection(client.Connection).Post<TreeResponse>(
            new Uri($"repos/{Uri.EscapeDataString(owner)}/{Uri.EscapeDataString(name)}/git/trees", UriKind.Relative), treeBody, "application/vnd.github+json", "application/json", cancellationToken);
        if (tree.Sha != request.ExpectedTreeSha)
        {
            return new GitDataPush(null, tree.Sha, false, null,
                $"GitHub built tree {tree.Sha}, not the worktree's committed tree {request.ExpectedTreeSha}; nothing was committed or pushed");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var commit = await client.Git.Commit.Create(owner, name, new NewCommit(request.Message, tree.Sha, request.Parents));
        var verified = commit.Verification?.Verified ?? false;
        var reason = commit.Verification?.Reason.StringValue;
        if (commit.Tree?.Sha != request.ExpectedTreeSha || !commit.Parents.Select(p => p.Sha).SequenceEqual(request.Parents))
        {
            return new GitDataPush(commit.Sha, commit.Tree?.Sha, verified, reason,
                $"GitHub's commit {commit.Sha} has tree {commit.Tree?.Sha} and parents [{string.Join(", ", commit.Parents.Select(p => p.Sha))}], not tree {request.ExpectedTreeSha} on [{string.Join(", ", request.Parents)}]; the branch was not moved");
        }

        return new GitDataPush(commit.Sha, commit.Tree.Sha, verified, reason, null);
    }

    /// <summary>Creates <paramref name="branch"/> at <paramref name="sha"/>, or fast-forwards it (never forced). Null when done, else GitHub's reason.</summary>
    public async Task<string?> MoveBranchAsync(IGitHubClient client, string owner, string name, string branch, string sha, bool branchExists, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            if (branchExists)
            {
                await client.Git.Reference.Update(owner, name, $"heads/{branch}", new ReferenceUpdate(sha, force: false));
            }
            else
            {
                await client.Git.Reference.Create(owner, name, new NewReference($"refs/heads/{branch}", sha));
            }

            return null;
        }
        catch (ApiValidationException ex)
        {
            // 422: not a fast-forward (someone pushed), or the branch appeared meanwhile.
            return $"GitHub refused to move {branch} to {sha}: {ex.Message}";
        }
    }

    /// <summary>Deletes <paramref name="branch"/>; one already gone is fine.</summary>
    public async Task DeleteBranchAsync(IGitHubClient client, string owner, string name, string branch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            await client.Git.Reference.Delete(owner, name, $"heads/{branch}");
        }
        catch (NotFoundException)
        {
        }
        catch (ApiValidationException)
        {
            // 422 "Reference does not exist".
        }
    }
}
