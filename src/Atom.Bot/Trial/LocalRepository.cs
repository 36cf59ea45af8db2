using Atom.Bot.Git;
using LibGit2Sharp;

namespace Atom.Bot.Trial;

/// <summary>
/// The repository <c>atom try</c> works on, as the local platform reads and changes it: files of a branch, branch
/// heads, and the squash merge of an approved pull request into the default branch. Atom itself fetches from and
/// pushes to it by its path, exactly as it does with a GitHub clone URL.
/// </summary>
internal sealed class LocalRepository
{
    private LocalRepository(string root, string gitDir, string defaultBranch, bool bare)
    {
        Root = root;
        GitDir = gitDir;
        DefaultBranch = defaultBranch;
        Bare = bare;
    }

    /// <summary>The repository's top directory (its path is Atom's clone URL).</summary>
    public string Root { get; }

    /// <summary>Its <c>.git</c> directory, where <c>atom try</c> keeps its own data.</summary>
    public string GitDir { get; }

    public string DefaultBranch { get; }

    public bool Bare { get; }

    public string Name => Path.GetFileName(Root.TrimEnd('/')) is { Length: > 0 } name && name.EndsWith(".git", StringComparison.Ordinal) ? name[..^4] : Path.GetFileName(Root.TrimEnd('/'));

    /// <summary>Opens the repository at <paramref name="path"/>; the default branch is <paramref name="branch"/> or the checked-out one.</summary>
    public static async Task<(LocalRepository? Repository, string? Error)> OpenAsync(string path, string? branch, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(path))
        {
            return (null, $"{path} does not exist");
        }

        var top = await GitCli.RunAsync(path, ["rev-parse", "--show-toplevel"], null, cancellationToken);
        var bare = await GitCli.RunAsync(path, ["rev-parse", "--is-bare-repository"], null, cancellationToken);
        if (!bare.Succeeded)
        {
            return (null, $"{path} is not a git repository (git init, and commit something first)");
        }

        var isBare = bare.StandardOutput.Trim() == "true";
        var root = isBare ? Path.GetFullPath(path) : top.StandardOutput.Trim();
        var gitDir = (await GitCli.RunAsync(root, ["rev-parse", "--absolute-git-dir"], null, cancellationToken)).StandardOutput.Trim();
        if (branch is null)
        {
            var head = await GitCli.RunAsync(root, ["symbolic-ref", "--short", "HEAD"], null, cancellationToken);
            if (!head.Succeeded)
            {
                return (null, $"{root} has no branch checked out (a detached HEAD): name the default branch with --branch");
            }

            branch = head.StandardOutput.Trim();
        }

        var repository = new LocalRepository(root, gitDir, branch, isBare);
        if (await repository.HeadAsync(branch, cancellationToken) is null)
        {
            return (null, $"{root} has no commit on branch '{branch}' yet: Atom works from the default branch's files, so commit something first");
        }

        return (repository, null);
    }

    /// <summary>The commit a branch points at, or null when there is no such branch.</summary>
    public async Task<string?> HeadAsync(string branch, CancellationToken cancellationToken)
    {
        var result = await GitCli.RunAsync(Root, ["rev-parse", "--verify", "--quiet", $"refs/heads/{branch}^{{commit}}"], null, cancellationToken);
        return result.Succeeded ? result.StandardOutput.Trim() : null;
    }

    /// <summary>A file of <paramref name="reference"/> (a branch or a commit), or null when it has no such file.</summary>
    public (byte[] Content, string BlobSha)? ReadFile(string reference, string path)
    {
        using var repository = new Repository(Root);
        if (repository.Lookup<Commit>(reference) is not { } commit || commit[path]?.Target is not Blob blob)
        {
            return null;
        }

        using var content = blob.GetContentStream();
        using var bytes = new MemoryStream();
        content.CopyTo(bytes);
        return (bytes.ToArray(), blob.Sha);
    }

    public async Task<bool> DeleteBranchAsync(string branch, CancellationToken cancellationToken)
    {
        if (branch == DefaultBranch || await HeadAsync(branch, cancellationToken) is not { } head)
        {
            return false;
        }

        return (await GitCli.RunAsync(Root, ["update-ref", "-d", $"refs/heads/{branch}", head], null, cancellationToken)).Succeeded;
    }

    /// <summary>
    /// Squashes <paramref name="head"/> onto the tip of <paramref name="baseBranch"/> as GitHub's squash merge does: one
    /// commit whose tree merges the two, with the base as its only parent. When the base is the branch checked out here,
    /// the working tree follows (a fast-forward that refuses to overwrite local changes).
    /// </summary>
    public async Task<LocalMerge> SquashAsync(string head, string baseBranch, string message, string approver, CancellationToken cancellationToken)
    {
        if (await HeadAsync(baseBranch, cancellationToken) is not { } baseSha)
        {
            return LocalMerge.Refused($"the base branch {baseBranch} does not exist");
        }

        var mergeBase = await GitCli.RunAsync(Root, ["merge-base", baseSha, head], null, cancellationToken);
        var tree = await GitCli.RunAsync(Root, ["merge-tree", "--write-tree", "--no-messages", baseSha, head], null, cancellationToken);
        if (!mergeBase.Succeeded || !tree.Succeeded)
        {
            var conflicts = tree.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split('\t')[^1]).Distinct().ToList();
            return LocalMerge.Conflict(conflicts.Count > 0 ? $"Merge conflict in {string.Join(", ", conflicts)}" : "Merge conflict");
        }

        IReadOnlyList<(string, string)> identity =
        [
            ("user.name", approver), ("user.email", $"{approver}@localhost"),
        ];
        var commit = await GitCli.RunAsync(Root, ["commit-tree", tree.StandardOutput.Split('\n')[0].Trim(), "-p", baseSha, "-F", "-"], null, cancellationToken, message, identity);
        if (!commit.Succeeded)
        {
            return LocalMerge.Refused(commit.StandardError.Trim());
        }

        var sha = commit.StandardOutput.Trim();
        var checkedOut = !Bare && (await GitCli.RunAsync(Root, ["symbolic-ref", "--quiet", "HEAD"], null, cancellationToken)).StandardOutput.Trim() == $"refs/heads/{baseBranch}";
        var moved = checkedOut
            ? await GitCli.RunAsync(Root, ["merge", "--ff-only", "--quiet", sha], null, cancellationToken, config: identity)
            : await GitCli.RunAsync(Root, ["update-ref", $"refs/heads/{baseBranch}", sha, baseSha], null, cancellationToken);
        return moved.Succeeded
            ? LocalMerge.Merged(sha)
            : LocalMerge.Refused($"{baseBranch} could not be moved to the merge: {moved.StandardError.Trim()} (commit or stash the local changes, then approve again)");
    }
}

/// <summary>A squash merge's result: the new commit, a conflict (GitHub's 405), or a refusal with its reason.</summary>
internal sealed record LocalMerge(string? Sha, bool IsConflict, string? Reason)
{
    public static LocalMerge Merged(string sha) => new(sha, false, null);

    public static LocalMerge Conflict(string reason) => new(null, true, reason);

    public static LocalMerge Refused(string reason) => new(null, false, reason);
}
