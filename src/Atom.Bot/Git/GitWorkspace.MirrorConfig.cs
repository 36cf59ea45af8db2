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
        if (!listed.Succeeded)
        {
            throw new GitCommandException($"the mirror's config at {file} cannot be read: {listed.StandardError.Trim()}");
        }

        var kept = new List<(string Key, string Value)>();
        var removed = false;
        foreach (var entry in listed.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries))
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
}
