using System.Collections.Concurrent;
using System.Text;

namespace Atom.Bot.Git;

// A mirror's config is read by every git command Atom runs in it and in its worktrees, with more weight than anything
// Atom can pass on the command line for some keys: `-c` cannot unset a `url.<x>.insteadOf` (which would send a fetch or
// a push, with its token, elsewhere) nor an `include.path` (which pulls in any other file), and per-protocol or
// per-URL keys outrank general ones. Atom writes nothing into a mirror's config but what `git init --bare` writes, so
// before a mirror is used (under its lock) the file is checked against that set and anything else is removed and
// logged. Hooks are disabled on every run separately (GitCli: core.hooksPath=/dev/null); docs/git.md, "Hardening".
public sealed partial class GitWorkspace
{
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

    /// <summary>The config text last found clean, per mirror: an unchanged file needs no second look.</summary>
    private readonly ConcurrentDictionary<string, string> _cleanConfigs = new(StringComparer.Ordinal);

    private async Task<IAsyncDisposable> AcquireMirrorAsync(string mirror, CancellationToken cancellationToken)
    {
        var held = await _locks.AcquireAsync(mirror, cancellationToken);
        try
        {
            await EnsureMirrorConfigLockedAsync(mirror, cancellationToken);
            return held;
        }
        catch
        {
            await held.DisposeAsync();
            throw;
        }
    }

    private async Task EnsureMirrorConfigLockedAsync(string mirror, CancellationToken cancellationToken)
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
}
