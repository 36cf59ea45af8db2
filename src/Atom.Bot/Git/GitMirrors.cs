using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using LibGit2Sharp;
using Microsoft.Extensions.Logging;

namespace Atom.Bot.Git;

/// <summary>
/// The bare mirrors under <c>ATOM_DATA_DIR/mirrors</c> and the reads of their objects. The only owner of the
/// per-mirror lock: whatever must run under it takes the <see cref="LockedMirror"/> that <see cref="LockAsync"/>
/// hands out, so a signature says which code holds the lock.
/// </summary>
internal sealed partial class GitMirrors
{
    public const string TrackingPrefix = "refs/remotes/origin/";

    public const int MaxReadFileBytes = 256 * 1024;

    // What `git init --bare` writes (and may write on other file systems), with plain values only.
    private static readonly HashSet<string> AtomConfigKeys = new(StringComparer.Ordinal)
    {
        "core.repositoryformatversion",
        "core.filemode",
        "core.bare",
        "core.logallrefupdates",
        "core.ignorecase",
        "core.precomposeunicode",
        "core.symlinks",
    };

    private readonly GitOptions _options;
    private readonly ILogger _logger;
    private readonly MirrorLocks _locks = new();

    /// <summary>The config text last found clean, per mirror: an unchanged file needs no second look.</summary>
    private readonly ConcurrentDictionary<string, string> _cleanConfigs = new(StringComparer.Ordinal);

    public GitMirrors(GitOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
    }

    public string MirrorPath(RepositoryRef repo)
    {
        ArgumentNullException.ThrowIfNull(repo);
        return Path.Combine(_options.MirrorsDirectory, SafeName(repo.Owner), SafeName(repo.Name) + ".git");
    }

    /// <summary>Takes the mirror's lock, first checking its config (docs/git.md, "Hardening").</summary>
    public async Task<LockedMirror> LockAsync(RepositoryRef repo, CancellationToken cancellationToken)
    {
        var mirror = MirrorPath(repo);
        var held = await _locks.AcquireAsync(mirror, cancellationToken);
        try
        {
            await EnsureConfigAsync(mirror, cancellationToken);
            return new LockedMirror(repo, mirror, held, _logger);
        }
        catch
        {
            await held.DisposeAsync();
            throw;
        }
    }

    public async Task FetchAsync(RepositoryRef repo, string? token, CancellationToken cancellationToken)
    {
        await using var mirror = await LockAsync(repo, cancellationToken);
        await mirror.FetchAsync(token, cancellationToken);
    }

    public Task<IReadOnlyList<string>> ListFilesAtAsync(RepositoryRef repo, string branch, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var mirror = MirrorPath(repo);
        return Task.Run<IReadOnlyList<string>>(() =>
        {
            using var repository = OpenMirror(mirror, repo);
            var commit = repository.Lookup<Commit>(TrackingPrefix + branch);
            var paths = new List<string>();
            var pending = new Stack<(string Prefix, Tree Tree)>();
            if (commit is not null)
            {
                pending.Push(("", commit.Tree));
            }

            while (pending.Count > 0 && paths.Count < limit)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (prefix, tree) = pending.Pop();
                foreach (var entry in tree)
                {
                    if (entry.TargetType == TreeEntryTargetType.Tree)
                    {
                        pending.Push((prefix + entry.Name + "/", (Tree)entry.Target));
                    }
                    else if (paths.Count < limit)
                    {
                        paths.Add(prefix + entry.Name);
                    }
                }
            }

            paths.Sort(StringComparer.Ordinal);
            return paths;
        }, cancellationToken);
    }

    public Task<string?> HeadOfAsync(RepositoryRef repo, string branch, CancellationToken cancellationToken)
    {
        var mirror = MirrorPath(repo);
        return Task.Run(() =>
        {
            using var repository = OpenMirror(mirror, repo);
            return repository.Lookup<Commit>(TrackingPrefix + branch)?.Sha;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<(string Branch, string Sha)>> BranchesAtOrUnderAsync(RepositoryRef repo, string branch, CancellationToken cancellationToken)
    {
        var mirror = MirrorPath(repo);
        return Task.Run<IReadOnlyList<(string Branch, string Sha)>>(() =>
        {
            using var repository = OpenMirror(mirror, repo);
            return [.. repository.Refs.FromGlob(TrackingPrefix + "*")
                .Select(r => (Branch: r.CanonicalName[TrackingPrefix.Length..], Sha: r.ResolveToDirectReference()?.TargetIdentifier ?? ""))
                .Where(r => r.Branch == branch || r.Branch.StartsWith(branch + "/", StringComparison.Ordinal))];
        }, cancellationToken);
    }

    public Task<IReadOnlyDictionary<string, string>> ReadFilesAtAsync(
        RepositoryRef repo,
        string branch,
        string directory,
        string extension,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(extension);
        var mirror = MirrorPath(repo);
        var suffix = extension.StartsWith('.') ? extension : "." + extension;
        var folder = (directory ?? "").Trim('/');
        return Task.Run<IReadOnlyDictionary<string, string>>(() =>
        {
            var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
            using var repository = OpenMirror(mirror, repo);
            var commit = repository.Lookup<Commit>(TrackingPrefix + branch);
            var tree = folder.Length == 0 ? commit?.Tree : commit?[folder]?.Target as Tree;
            foreach (var entry in tree ?? Enumerable.Empty<TreeEntry>())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (entry.TargetType != TreeEntryTargetType.Blob || !entry.Name.EndsWith(suffix, StringComparison.Ordinal))
                {
                    continue;
                }

                var blob = (Blob)entry.Target;
                if (entry.Mode == Mode.SymbolicLink || blob.Size > MaxReadFileBytes)
                {
                    Log.FileSkipped(_logger, entry.Path, branch, MaxReadFileBytes);
                    continue;
                }

                files[entry.Path.Replace('\\', '/')] = blob.GetContentText();
            }

            return files;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<ChangedFile>> DiffAsync(RepositoryRef repo, string baseRef, string headRef, CancellationToken cancellationToken)
    {
        var mirror = MirrorPath(repo);
        return Task.Run<IReadOnlyList<ChangedFile>>(() =>
        {
            using var repository = OpenMirror(mirror, repo);
            using var patch = Compare(repository, repo, baseRef, headRef);
            return [.. patch.Select(ToChangedFile)];
        }, cancellationToken);
    }

    public Task<string> PatchAsync(RepositoryRef repo, string baseRef, string headRef, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        var mirror = MirrorPath(repo);
        return Task.Run(() =>
        {
            using var repository = OpenMirror(mirror, repo);
            using var patch = Compare(repository, repo, baseRef, headRef);
            return Truncate(patch.Content, maxBytes);
        }, cancellationToken);
    }

    public Task<string> InterdiffAsync(RepositoryRef repo, string fromSha, string toSha, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        var mirror = MirrorPath(repo);
        return Task.Run(() =>
        {
            using var repository = OpenMirror(mirror, repo);
            var from = ResolveCommit(repository, repo, fromSha);
            var to = ResolveCommit(repository, repo, toSha);
            using var patch = repository.Diff.Compare<Patch>(from.Tree, to.Tree, new CompareOptions { Similarity = SimilarityOptions.Renames });
            return Truncate(patch.Content, maxBytes);
        }, cancellationToken);
    }

    /// <summary>Owner and repository names as path segments: GitHub-shaped only, so a payload cannot steer a path out of the data directory.</summary>
    internal static string SafeName(string name)
    {
        if (string.IsNullOrEmpty(name) || name is "." or ".." || !RepositoryNameCharacters().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a GitHub owner or repository name", nameof(name));
        }

        return name.ToLowerInvariant();
    }

    internal static Repository OpenMirror(string mirror, RepositoryRef repo) =>
        File.Exists(Path.Combine(mirror, "HEAD"))
            ? new Repository(mirror)
            : throw new GitCommandException($"{repo.Owner}/{repo.Name} has no mirror yet; prepare or fetch it first");

    internal static string Truncate(string patch, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(patch) <= maxBytes)
        {
            return patch;
        }

        var note = $"\n[diff truncated at {maxBytes} bytes]\n";
        var budget = Math.Max(0, maxBytes - Encoding.UTF8.GetByteCount(note));
        var builder = new StringBuilder();
        var used = 0;
        foreach (var line in patch.Split('\n'))
        {
            var size = Encoding.UTF8.GetByteCount(line) + 1;
            if (used + size > budget)
            {
                break;
            }

            builder.Append(line).Append('\n');
            used += size;
        }

        return builder.Append(note.TrimStart('\n')).ToString();
    }

    // A mirror's config is read by every git command Atom runs in it and in its worktrees, with more weight than
    // anything Atom can pass on the command line for some keys: `-c` cannot unset a `url.<x>.insteadOf` (which would
    // send a fetch or a push, with its token, elsewhere) nor an `include.path` (which pulls in any other file), and
    // per-protocol or per-URL keys outrank general ones. Atom writes nothing into a mirror's config but what `git init
    // --bare` writes, so before a mirror is used (under its lock) the file is checked against that set and anything
    // else is removed and logged. Hooks are disabled on every run separately (GitCli: core.hooksPath=/dev/null);
    // docs/git.md, "Hardening".
    private async Task EnsureConfigAsync(string mirror, CancellationToken cancellationToken)
    {
        var file = Path.Combine(mirror, "config");
        if (!File.Exists(file))
        {
            return;
        }

        var text = await File.ReadAllTextAsync(file, cancellationToken);
        if (_cleanConfigs.TryGetValue(mirror, out var clean) && clean == text)
        {
            return;
        }

        // With --file, git reads that file alone and does not follow include.path: the include itself is listed.
        var listed = await GitCli.RunAsync(mirror, ["config", "--file", file, "--list", "--null"], null, cancellationToken);
        var kept = new List<(string Key, string Value)>();
        var removed = false;
        if (!listed.Succeeded)
        {
            // A file git cannot parse would fail every command: it is replaced by what `git init --bare` writes.
            Log.MirrorConfigRemoved(_logger, mirror, "(the whole file: " + listed.StandardError.Trim() + ")");
            kept.AddRange([("core.repositoryformatversion", "0"), ("core.filemode", "true"), ("core.bare", "true")]);
            removed = true;
        }

        foreach (var entry in listed.Succeeded ? listed.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries) : [])
        {
            var newline = entry.IndexOf('\n', StringComparison.Ordinal);
            var key = newline < 0 ? entry : entry[..newline];
            var value = newline < 0 ? "" : entry[(newline + 1)..];
            if (AtomConfigKeys.Contains(key) && value.Length > 0 && value.All(char.IsAsciiLetterOrDigit))
            {
                kept.Add((key, value));
            }
            else
            {
                Log.MirrorConfigRemoved(_logger, mirror, key);
                removed = true;
            }
        }

        if (removed)
        {
            var rewritten = new StringBuilder("[core]\n");
            foreach (var (key, value) in kept)
            {
                rewritten.Append('\t').Append(key["core.".Length..]).Append(" = ").Append(value).Append('\n');
            }

            text = rewritten.ToString();
            var temporary = file + ".atom-" + Guid.NewGuid().ToString("N");
            await File.WriteAllTextAsync(temporary, text, cancellationToken);
            File.Move(temporary, file, overwrite: true);
        }

        _cleanConfigs[mirror] = text;
    }

    private static Patch Compare(Repository repository, RepositoryRef repo, string baseRef, string headRef)
    {
        var head = ResolveCommit(repository, repo, headRef);
        var baseCommit = ResolveCommit(repository, repo, baseRef);
        var mergeBase = repository.ObjectDatabase.FindMergeBase(baseCommit, head) ?? baseCommit;
        return repository.Diff.Compare<Patch>(mergeBase.Tree, head.Tree, new CompareOptions { Similarity = SimilarityOptions.Renames });
    }

    private static Commit ResolveCommit(Repository repository, RepositoryRef repo, string reference)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        return repository.Lookup<Commit>(TrackingPrefix + reference)
            ?? repository.Lookup<Commit>(reference)
            ?? throw new GitCommandException($"'{reference}' is neither a branch nor a commit of {repo.Owner}/{repo.Name}");
    }

    private static ChangedFile ToChangedFile(PatchEntryChanges change)
    {
        var status = change.Status switch
        {
            ChangeKind.Added => FileChangeStatus.Added,
            ChangeKind.Deleted => FileChangeStatus.Deleted,
            ChangeKind.Renamed => FileChangeStatus.Renamed,
            ChangeKind.Copied => FileChangeStatus.Copied,
            ChangeKind.TypeChanged => FileChangeStatus.TypeChanged,
            _ => FileChangeStatus.Modified,
        };
        var exists = status != FileChangeStatus.Deleted;
        return new ChangedFile(
            change.Path.Replace('\\', '/'),
            status is FileChangeStatus.Renamed or FileChangeStatus.Copied ? change.OldPath.Replace('\\', '/') : null,
            status,
            change.LinesAdded,
            change.LinesDeleted,
            change.IsBinaryComparison,
            exists && change.Mode == Mode.SymbolicLink,
            exists && change.Mode == Mode.GitLink);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex RepositoryNameCharacters();
}
