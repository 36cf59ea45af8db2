using System.Text.RegularExpressions;
using LibGit2Sharp;
using Microsoft.Extensions.Logging;

namespace Atom.Bot.Git;

/// <summary>
/// What leaves a worktree: commits as the bot, pushes of a worktree's HEAD and the combination of assignment branches
/// into the task branch. Pushes run from the mirror; the mirror's lock, from <see cref="GitMirrors"/>, is held for its
/// config check and while tracking refs move, and for the whole of a combination.
/// </summary>
internal sealed partial class GitBranches
{
    private const int MaxReasonLength = 4000;

    private readonly GitOptions _options;
    private readonly GitMirrors _mirrors;
    private readonly ILogger _logger;

    public GitBranches(GitOptions options, GitMirrors mirrors, ILogger logger)
    {
        _options = options;
        _mirrors = mirrors;
        _logger = logger;
    }

    public async Task<CommitOutcome?> CommitAllAsync(
        Checkout checkout,
        string message,
        IReadOnlyList<KeyValuePair<string, string>> trailers,
        CancellationToken cancellationToken,
        IReadOnlyCollection<string>? onlyPaths = null,
        SshSigningKey? signWith = null)
    {
        var commit = await CommitUnsignedAsync(checkout, message, trailers, onlyPaths, cancellationToken);
        return commit is null || signWith is null ? commit : await SignAsync(checkout, commit, signWith, cancellationToken);
    }

    private Task<CommitOutcome?> CommitUnsignedAsync(
        Checkout checkout,
        string message,
        IReadOnlyList<KeyValuePair<string, string>> trailers,
        IReadOnlyCollection<string>? onlyPaths,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkout);
        ArgumentNullException.ThrowIfNull(trailers);
        var fullMessage = WithTrailers(message, trailers);
        return Task.Run(() =>
        {
            using var repository = new Repository(checkout.Path);
            if (onlyPaths is null)
            {
                Commands.Stage(repository, "*");
            }
            else if (onlyPaths.Count > 0)
            {
                Commands.Stage(repository, onlyPaths);
            }

            var parent = repository.Head.Tip;
            var staged = repository.Diff.Compare<TreeChanges>(parent.Tree, DiffTargets.Index);
            if (staged.Count == 0)
            {
                Log.NothingToCommit(_logger, checkout.Branch);
                return null;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var identity = new Signature(_options.AuthorName, _options.AuthorEmail, DateTimeOffset.Now);
            var commit = repository.Commit(fullMessage, identity, identity, new CommitOptions { PrettifyMessage = false });
            var stats = repository.Diff.Compare<PatchStats>(parent.Tree, commit.Tree);
            var files = staged.Select(c => c.Path.Replace('\\', '/')).Distinct().Order(StringComparer.Ordinal).ToList();
            Log.Committed(_logger, commit.Sha, checkout.Branch, files.Count, stats.TotalLinesAdded, stats.TotalLinesDeleted);
            return new CommitOutcome(commit.Sha, files, stats.TotalLinesAdded, stats.TotalLinesDeleted) { TreeSha = commit.Tree.Sha };
        }, cancellationToken);
    }

    // The same tree, parent and message, committed again by git itself with an SSH signature (gpg.format=ssh): libgit2
    // cannot sign. It runs in the mirror, which holds the worktree's objects; the worktree's HEAD then moves to it.
    private async Task<CommitOutcome> SignAsync(Checkout checkout, CommitOutcome unsigned, SshSigningKey key, CancellationToken cancellationToken)
    {
        string parent;
        string fullMessage;
        using (var repository = new Repository(checkout.Path))
        {
            var commit = repository.Lookup<Commit>(unsigned.Sha);
            parent = commit.Parents.Single().Sha;
            fullMessage = commit.Message;
        }

        var signed = await SignedCommitAsync(_mirrors.MirrorPath(checkout.Repository), unsigned.TreeSha, [parent], fullMessage, key, cancellationToken);
        using (var repository = new Repository(checkout.Path))
        {
            repository.Refs.UpdateTarget(repository.Refs.Head, new ObjectId(signed), "atom: signed commit");
        }

        Log.CommitSigned(_logger, signed, checkout.Branch, key.Fingerprint);
        return unsigned with { Sha = signed, SigningKeyFingerprint = key.Fingerprint };
    }

    private async Task<string> SignedCommitAsync(string mirror, string tree, IReadOnlyList<string> parents, string message, SshSigningKey key, CancellationToken cancellationToken)
    {
        var result = await GitCli.RunAsync(
            mirror,
            ["commit-tree", "-S", tree, .. parents.SelectMany(p => new[] { "-p", p }), "-F", "-"],
            null,
            cancellationToken,
            standardInput: message,
            config:
            [
                ("user.name", _options.AuthorName),
                ("user.email", _options.AuthorEmail),
                ("gpg.format", "ssh"),
                ("user.signingKey", key.PrivateKeyPath),
                ("gpg.ssh.program", "ssh-keygen"),
            ]);
        return result.Succeeded
            ? result.StandardOutput.Trim()
            : throw new GitCommandException($"signing a commit with the SSH key {key.Fingerprint} failed: {result.StandardError.Trim()}");
    }

    // The merge commits a combination made, in order, made again with the key's signature (and the next ones on them).
    private async Task<(string Sha, IReadOnlyList<string> Created)> SignMergesAsync(string mirror, RepositoryRef repo, string sha, IReadOnlyList<string> created, SshSigningKey key, CancellationToken cancellationToken)
    {
        var signed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var merge in created)
        {
            string tree;
            string message;
            List<string> parents;
            using (var repository = GitMirrors.OpenMirror(mirror, repo))
            {
                var commit = repository.Lookup<Commit>(merge);
                tree = commit.Tree.Sha;
                message = commit.Message;
                parents = commit.Parents.Select(p => signed.GetValueOrDefault(p.Sha, p.Sha)).ToList();
            }

            signed[merge] = await SignedCommitAsync(mirror, tree, parents, message, key, cancellationToken);
            Log.CommitSigned(_logger, signed[merge], "(combined)", key.Fingerprint);
        }

        return (signed.GetValueOrDefault(sha, sha), created.Select(c => signed[c]).ToList());
    }

    // A worktree's commits are in its mirror's object store, like the merges of a combination.
    public Task<CommitContents> ReadCommitAsync(RepositoryRef repo, string sha, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repo);
        var mirror = _mirrors.MirrorPath(repo);
        return Task.Run(() =>
        {
            using var repository = GitMirrors.OpenMirror(mirror, repo);
            var commit = repository.Lookup<Commit>(sha) ?? throw new GitCommandException($"no commit {sha} in the mirror of {repo.Owner}/{repo.Name}");
            // Against the first parent: for a merge, the base the API builds its tree on.
            var parent = commit.Parents.First();
            var changes = repository.Diff.Compare<TreeChanges>(parent.Tree, commit.Tree);
            var files = new List<CommitFile>();
            foreach (var change in changes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (change.Status == ChangeKind.Deleted)
                {
                    files.Add(new CommitFile(change.Path.Replace('\\', '/'), Convert.ToString((int)change.OldMode, 8), null));
                    continue;
                }

                if (change.Mode == Mode.GitLink)
                {
                    throw new GitCommandException($"{change.Path} is a submodule: a commit through the API cannot carry it");
                }

                // Without rename detection a change is an addition, a modification or a type change of one path.
                if (change.Status == ChangeKind.Renamed && change.OldPath != change.Path)
                {
                    files.Add(new CommitFile(change.OldPath.Replace('\\', '/'), Convert.ToString((int)change.OldMode, 8), null));
                }

                var blob = repository.Lookup<Blob>(change.Oid);
                using var stream = blob.GetContentStream();
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                files.Add(new CommitFile(change.Path.Replace('\\', '/'), Convert.ToString((int)change.Mode, 8), buffer.ToArray()));
            }

            return new CommitContents(commit.Sha, commit.Tree.Sha, commit.Parents.Select(p => p.Sha).ToList(), parent.Tree.Sha, commit.Message, files);
        }, cancellationToken);
    }

    public async Task<PushOutcome> PushAsync(Checkout checkout, string? token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkout);
        var repo = checkout.Repository;
        var mirror = _mirrors.MirrorPath(repo);
        if (!IsLinkedToMirror(checkout.Path, mirror))
        {
            const string Unlinked = "the worktree's .git no longer points at its registration in the mirror; nothing was pushed";
            Log.PushFailed(_logger, "", checkout.Branch, repo.Owner, repo.Name, PushFailure.Failed, Unlinked);
            return PushOutcome.Rejected(checkout.Branch, "", PushFailure.Failed, Unlinked);
        }

        string head;
        using (var worktree = new Repository(checkout.Path))
        {
            head = worktree.Head.Tip.Sha;
        }

        await using (await _mirrors.LockAsync(repo, cancellationToken))
        {
            // The lock is for the config check only: the push below reads the mirror's config, and carries the token.
        }

        // Pushed from the mirror, which holds the worktree's commits, rather than from the worktree: git run in the
        // worktree would follow its .git file, which sits among the files a tool or a test run writes.
        var outcome = await PushRefsAsync(mirror, repo, checkout.Branch, head, [$"{head}:refs/heads/{checkout.Branch}"], token, cancellationToken);
        if (outcome.Succeeded)
        {
            await using var locked = await _mirrors.LockAsync(repo, cancellationToken);
            await locked.UpdateTrackingAsync([], checkout.Branch, head, cancellationToken);
        }

        return outcome;
    }

    public async Task<CombineOutcome> CombineAsync(
        RepositoryRef repo,
        string baseBranch,
        IReadOnlyList<string> branches,
        string targetBranch,
        string? token,
        CancellationToken cancellationToken,
        SshSigningKey? signWith = null,
        bool push = true)
    {
        ArgumentNullException.ThrowIfNull(repo);
        ArgumentNullException.ThrowIfNull(branches);
        BranchNames.RequireValid(baseBranch);
        BranchNames.RequireValid(targetBranch);
        foreach (var branch in branches)
        {
            BranchNames.RequireValid(branch);
        }

        await using (var mirror = await _mirrors.LockAsync(repo, cancellationToken))
        {
            await mirror.FetchAsync(token, cancellationToken);
            var (sha, created, refused) = Merge(mirror, baseBranch, branches, targetBranch);
            if (refused is not null)
            {
                Log.CombineFailed(_logger, targetBranch, refused.Failure!.Value, refused.Reason!);
                return refused;
            }

            if (signWith is not null && created.Count > 0)
            {
                (sha, created) = await SignMergesAsync(mirror.Path, repo, sha, created, signWith, cancellationToken);
            }

            if (!push)
            {
                // The caller makes these commits elsewhere (GitHub's Git Data API) and moves the branches itself.
                return CombineOutcome.Merged(targetBranch, sha, created);
            }

            var deleted = branches.Where(b => b != targetBranch).Distinct().ToList();
            List<string> refspecs = [$"{sha}:refs/heads/{targetBranch}", .. deleted.Select(b => $":refs/heads/{b}")];
            var pushed = await PushRefsAsync(mirror.Path, repo, targetBranch, sha, refspecs, token, cancellationToken);
            if (!pushed.Succeeded)
            {
                Log.CombineFailed(_logger, targetBranch, CombineFailure.PushFailed, pushed.Reason!);
                return CombineOutcome.NotPushed(targetBranch, sha, pushed);
            }

            await mirror.UpdateTrackingAsync(deleted, targetBranch, sha, cancellationToken);
            Log.Combined(_logger, branches.Count, targetBranch, sha);
            return CombineOutcome.Combined(targetBranch, sha, pushed) with { MergeCommits = created };
        }
    }

    // In memory in the mirror, under its lock: the fetch just before decides what the branches are.
    private (string Sha, IReadOnlyList<string> Created, CombineOutcome? Refused) Merge(LockedMirror mirror, string baseBranch, IReadOnlyList<string> branches, string targetBranch)
    {
        using var repository = GitMirrors.OpenMirror(mirror.Path, mirror.Repository);
        var current = repository.Lookup<Commit>(GitMirrors.TrackingPrefix + baseBranch);
        if (current is null)
        {
            return ("", [], CombineOutcome.Missing(targetBranch, $"base branch '{baseBranch}' is not at the remote"));
        }

        var identity = new Signature(_options.AuthorName, _options.AuthorEmail, DateTimeOffset.Now);
        var created = new List<string>();
        foreach (var branch in branches)
        {
            var tip = repository.Lookup<Commit>(GitMirrors.TrackingPrefix + branch);
            if (tip is null)
            {
                return ("", [], CombineOutcome.Missing(targetBranch, $"branch '{branch}' is not at the remote"));
            }

            var mergeBase = repository.ObjectDatabase.FindMergeBase(current, tip);
            if (mergeBase?.Id == tip.Id)
            {
                continue;
            }

            if (mergeBase?.Id == current.Id)
            {
                current = tip;
                continue;
            }

            var result = repository.ObjectDatabase.MergeCommits(current, tip, new MergeTreeOptions { FailOnConflict = false });
            if (result.Status == MergeTreeStatus.Conflicts)
            {
                var files = result.Conflicts
                    .Select(c => (c.Ours ?? c.Theirs ?? c.Ancestor).Path.Replace('\\', '/'))
                    .Distinct()
                    .Order(StringComparer.Ordinal)
                    .ToList();
                return ("", [], CombineOutcome.Conflicted(targetBranch, $"merging '{branch}' conflicts in {string.Join(", ", files)}", files));
            }

            current = repository.ObjectDatabase.CreateCommit(
                identity, identity, $"Merge branch '{branch}' into {targetBranch}\n", result.Tree, [current, tip], prettifyMessage: false);
            created.Add(current.Sha);
        }

        return (current.Sha, created, null);
    }

    private async Task<PushOutcome> PushRefsAsync(
        string workingDirectory,
        RepositoryRef repo,
        string branch,
        string sha,
        IReadOnlyList<string> refspecs,
        string? token,
        CancellationToken cancellationToken)
    {
        // No '+' in any refspec and no --force: a push that is not a fast-forward is refused, never forced.
        var result = await GitCli.RunAsync(workingDirectory, ["push", "--porcelain", "--no-verify", repo.CloneUrl, .. refspecs], token, cancellationToken);
        if (result.Succeeded)
        {
            Log.Pushed(_logger, sha, branch, repo.Owner, repo.Name);
            return PushOutcome.Pushed(branch, sha);
        }

        var (failure, reason) = ExplainPushFailure(result);
        reason = GitCli.Scrub(reason, token);
        Log.PushFailed(_logger, sha, branch, repo.Owner, repo.Name, failure, reason);
        return PushOutcome.Rejected(branch, sha, failure, reason);
    }

    /// <summary>Reads <c>git push --porcelain</c>: rejected ref lines on stdout, the remote's and git's messages on stderr.</summary>
    internal static (PushFailure Failure, string Reason) ExplainPushFailure(GitCliResult result)
    {
        var rejected = result.StandardOutput.Split('\n')
            .Where(l => l.StartsWith("!\t", StringComparison.Ordinal))
            .Select(l => l.Split('\t'))
            .Select(f => f.Length >= 3 ? $"{f[1]} {f[2]}" : string.Join(' ', f[1..]))
            .ToList();
        var messages = result.StandardError.Split('\n')
            .Select(l => l.TrimEnd())
            .Where(l => l.StartsWith("remote:", StringComparison.Ordinal) && l.Length > "remote:".Length
                || l.StartsWith("fatal:", StringComparison.Ordinal)
                || l.StartsWith("error:", StringComparison.Ordinal) && !l.Contains("failed to push some refs", StringComparison.Ordinal))
            .ToList();
        var reason = string.Join("\n", rejected.Concat(messages));
        if (reason.Length == 0)
        {
            reason = $"git push exited with {result.ExitCode}";
        }

        if (reason.Length > MaxReasonLength)
        {
            reason = reason[..MaxReasonLength] + " …";
        }

        var stderr = result.StandardError;
        var failure =
            rejected.Any(r => r.Contains("[rejected]", StringComparison.Ordinal)) ? PushFailure.NotFastForward
            : rejected.Any(r => r.Contains("[remote rejected]", StringComparison.Ordinal)) ? PushFailure.RemoteRejected
            : stderr.Contains("Authentication failed", StringComparison.Ordinal)
              || stderr.Contains("could not read Username", StringComparison.Ordinal)
              || stderr.Contains("could not read Password", StringComparison.Ordinal)
              || stderr.Contains("returned error: 401", StringComparison.Ordinal)
              || stderr.Contains("returned error: 403", StringComparison.Ordinal) ? PushFailure.AuthenticationFailed
            : PushFailure.Failed;
        if (failure == PushFailure.AuthenticationFailed)
        {
            reason = "authentication failed: the remote refused the token or its permissions\n" + reason;
        }

        return (failure, reason);
    }

    internal static string WithTrailers(string message, IReadOnlyList<KeyValuePair<string, string>> trailers)
    {
        var body = string.IsNullOrWhiteSpace(message) ? "Atom changes" : message.Trim();
        if (trailers.Count == 0)
        {
            return body + "\n";
        }

        var lines = trailers.Select(t =>
        {
            if (!TrailerKey().IsMatch(t.Key))
            {
                throw new ArgumentException($"'{t.Key}' is not a trailer key (letters, digits and '-')", nameof(trailers));
            }

            // A trailer is one line: a newline in a value would end it and start an unrelated line.
            return $"{t.Key}: {string.Join(' ', (t.Value ?? "").Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim()}";
        });
        return body + "\n\n" + string.Join("\n", lines) + "\n";
    }

    // A worktree's .git file says "gitdir: <mirror>/worktrees/<id>", and that registration's gitdir file points back at
    // the worktree's .git. Anything else (a .git rewritten to lead to another repository, with its own config) is not
    // a worktree Atom made.
    private static bool IsLinkedToMirror(string worktree, string mirror)
    {
        var link = Path.Combine(worktree, ".git");
        var info = new FileInfo(link);
        if (!info.Exists || info.LinkTarget is not null || info.Length > 4096)
        {
            return false;
        }

        var text = File.ReadAllText(link).Trim();
        const string Prefix = "gitdir: ";
        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        // git writes both links with every symlink resolved, so the comparison is between real paths.
        var registration = RealPath(Path.GetFullPath(text[Prefix.Length..], worktree));
        var registrations = RealPath(Path.Combine(mirror, "worktrees")) + Path.DirectorySeparatorChar;
        var back = Path.Combine(registration, "gitdir");
        return registration.StartsWith(registrations, StringComparison.Ordinal)
            && !registration[registrations.Length..].Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal)
            && File.Exists(back)
            && RealPath(File.ReadAllText(back).Trim()) == RealPath(link);
    }

    // The path with every symbolic link in it resolved, like realpath(3).
    private static string RealPath(string path, int depth = 0)
    {
        var full = Path.GetFullPath(path);
        var current = Path.GetPathRoot(full)!;
        foreach (var part in full[current.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(current, part);
            var target = new FileInfo(next).LinkTarget;
            current = target is null || depth > 40 ? next : RealPath(Path.GetFullPath(target, current), depth + 1);
        }

        return current;
    }
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9-]*$")]
    private static partial Regex TrailerKey();
}
