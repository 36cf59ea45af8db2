using Atom.Bot.Tasks;

namespace Atom.Bot.Workers;

/// <summary>
/// The trust boundary for one assignment's worktree: every path a tool receives goes through <see cref="Check"/>
/// before any I/O. Reads and listings obey the same scope as writes (docs/scope.md: a worker cannot reach paths outside
/// its scope), and <c>.github</c>, <c>.atom</c> and any <c>.git</c> are refused for every access, in any letter case:
/// the model never needs them, and <c>.git</c> may hold credentials. Paths through a symbolic link (or naming one)
/// are refused. An invalid scope refuses everything. Globs are described on <see cref="ScopeMatcher"/>.
/// </summary>
public sealed class ScopeGuard
{
    private static readonly string[] DeniedTopFolders = [".github", ".atom"];

    private readonly ScopeMatcher _matcher;
    private readonly string? _grantedPath;

    /// <summary>
    /// A guard that opens exactly one file, for read and write, and nothing else, not even a listing of another folder:
    /// the worker of an approved skill proposal gets one for its skill file. The only way a path under <c>.atom</c> is
    /// ever allowed, so its caller decides, from what a human approved, that <paramref name="path"/> may be written.
    /// </summary>
    public static ScopeGuard ForSingleFile(string path, int maxLines, string worktreeRoot)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new ScopeGuard(new Scope([path], [], 1, maxLines), worktreeRoot, path);
    }

    private ScopeGuard(Scope scope, string worktreeRoot, string grantedPath)
        : this(scope, worktreeRoot) => _grantedPath = grantedPath;

    public ScopeGuard(Scope scope, string worktreeRoot)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentException.ThrowIfNullOrEmpty(worktreeRoot);
        Scope = scope;
        WorktreeRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(worktreeRoot));
        _matcher = ScopeMatcher.Compile(scope);
    }

    public Scope Scope { get; }

    /// <summary>The worktree's absolute path; every allowed path lies below it.</summary>
    public string WorktreeRoot { get; }

    /// <summary>Why the scope is unusable (every path is then refused), or null.</summary>
    public string? ScopeProblem => _matcher.Problem;

    /// <summary>
    /// Decides whether <paramref name="rawPath"/> (as the model gave it) may be accessed. "." names the root, for
    /// <see cref="PathAccess.List"/> only. A listing needs no allow glob to match (the tool shows only what may be
    /// read) but is refused for denied folders.
    /// </summary>
    public PathDecision Check(string rawPath, PathAccess access)
    {
        var raw = rawPath ?? "";
        var violation = RuleViolation(raw, access, _matcher, _grantedPath, out var relative);
        if (violation is null)
        {
            violation = LinkViolation(raw, relative!);
        }

        return violation is null
            ? PathDecision.Allowed(relative!, relative!.Length == 0 ? WorktreeRoot : Path.Join(WorktreeRoot, relative))
            : PathDecision.Refused(violation);
    }

    /// <summary>
    /// The supervisor's independent re-check of a final diff: every path against the rules (as a write), symlinks and
    /// submodules refused, and the totals against the limits. No file system access: the diff is the evidence.
    /// </summary>
    public static IReadOnlyList<ScopeViolation> CheckChanges(Scope scope, IEnumerable<ScopeChange> changes)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(changes);
        var matcher = ScopeMatcher.Compile(scope);
        var violations = new List<ScopeViolation>();
        var files = new HashSet<string>(StringComparer.Ordinal);
        long lines = 0;
        foreach (var change in changes)
        {
            var path = change.Path ?? "";
            var violation = RuleViolation(path, PathAccess.Write, matcher, null, out _);
            if (violation is not null)
            {
                violations.Add(violation);
            }
            else if (change.IsSymlink)
            {
                violations.Add(new ScopeViolation(path, "is a symbolic link; workers may not add, change or remove links"));
            }
            else if (change.IsSubmodule)
            {
                violations.Add(new ScopeViolation(path, "is a submodule; workers may not add, change or remove submodules"));
            }

            files.Add(path);
            lines += Math.Max(0, change.LinesAdded) + (long)Math.Max(0, change.LinesRemoved);
        }

        if (files.Count > scope.MaxFiles)
        {
            violations.Add(new ScopeViolation("(whole change)", $"changes {files.Count} files; the scope allows at most {scope.MaxFiles}"));
        }

        if (lines > scope.MaxChangedLines)
        {
            violations.Add(new ScopeViolation("(whole change)", $"changes {lines} lines (added plus removed); the scope allows at most {scope.MaxChangedLines}"));
        }

        return violations;
    }

    /// <summary>
    /// The re-check of a single-file guard's diff (<see cref="ForSingleFile"/>): one file, exactly that one, no link,
    /// within <paramref name="maxLines"/> (changed lines count twice: removed and added).
    /// </summary>
    public static IReadOnlyList<ScopeViolation> CheckSingleFileChanges(string path, int maxLines, IEnumerable<ScopeChange> changes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(changes);
        var violations = new List<ScopeViolation>();
        foreach (var change in changes)
        {
            if (!string.Equals(change.Path, path, StringComparison.Ordinal))
            {
                violations.Add(new ScopeViolation(change.Path ?? "", $"is not the one file this skill proposal may write ('{path}')"));
            }
            else if (change.IsSymlink || change.IsSubmodule)
            {
                violations.Add(new ScopeViolation(path, "must be a regular file"));
            }
            else if (change.LinesAdded + (long)change.LinesRemoved > maxLines * 2L)
            {
                violations.Add(new ScopeViolation(path, $"changes more than {maxLines * 2} lines"));
            }
        }

        return violations;
    }

    private static ScopeViolation? RuleViolation(string raw, PathAccess access, ScopeMatcher matcher, string? grantedPath, out string? relative)
    {
        relative = null;
        if (matcher.Problem is not null)
        {
            return new ScopeViolation(raw, $"cannot be used: this assignment's scope is invalid ({matcher.Problem}), so every path is refused");
        }

        relative = RelativePath.Normalise(raw, rootAllowed: access == PathAccess.List, out var reason);
        if (relative is null)
        {
            return new ScopeViolation(raw, reason);
        }

        if (relative.Length == 0)
        {
            return null;
        }

        var segments = relative.Split('/');
        var granted = grantedPath is not null && access != PathAccess.List && string.Equals(relative, grantedPath, StringComparison.Ordinal);
        if (!granted && DeniedTopFolders.Contains(segments[0], StringComparer.OrdinalIgnoreCase))
        {
            return new ScopeViolation(raw, $"is inside '{segments[0]}', which workers may never read or change (the repository's rules and skills)");
        }

        if (segments.Any(s => s.Equals(".git", StringComparison.OrdinalIgnoreCase)))
        {
            return new ScopeViolation(raw, "is inside a '.git' folder, which workers may never read or change");
        }

        if (access != PathAccess.List && !matcher.IsAllowed(relative))
        {
            return new ScopeViolation(raw, "is outside this assignment's scope (it matches no allow glob; see the scope in your instructions)");
        }

        // The always-denied globs cover the granted file too; the grant is the one exception, for that exact path.
        return matcher.IsDenied(relative) && !granted
            ? new ScopeViolation(raw, "is denied by this assignment's scope (it matches a deny glob)")
            : null;
    }

    private ScopeViolation? LinkViolation(string raw, string relative)
    {
        if (relative.Length == 0)
        {
            return null;
        }

        var segments = relative.Split('/');
        var current = WorktreeRoot;
        for (var i = 0; i < segments.Length; i++)
        {
            current = Path.Join(current, segments[i]);
            var shown = string.Join('/', segments.Take(i + 1));
            FileInfo info;
            try
            {
                info = new FileInfo(current);
                if (info.LinkTarget is not null)
                {
                    return new ScopeViolation(raw, i == segments.Length - 1
                        ? "is a symbolic link; links are refused"
                        : $"goes through the symbolic link '{shown}'; links are refused");
                }
            }
            catch (IOException)
            {
                return new ScopeViolation(raw, $"cannot be checked at '{shown}'");
            }
            catch (UnauthorizedAccessException)
            {
                return new ScopeViolation(raw, $"cannot be checked at '{shown}' (permission denied)");
            }

            if (Directory.Exists(current))
            {
                continue;
            }

            if (info.Exists && i < segments.Length - 1)
            {
                return new ScopeViolation(raw, $"goes through '{shown}', which is a file, not a folder");
            }

            break;
        }

        return null;
    }
}
