using Atom.Bot.Configuration;
using Atom.Bot.Tasks;
using Microsoft.Extensions.FileSystemGlobbing;

namespace Atom.Bot.Workers;

/// <summary>
/// A <see cref="Scope"/>'s globs compiled once. Glob syntax: literal names, <c>*</c> within one path segment,
/// <c>**</c> as a whole segment for any number of folders. <c>?</c>, <c>[...]</c>, <c>{a,b}</c> and <c>!</c> are
/// refused rather than read literally, so a deny glob never silently denies nothing. A leading <c>/</c> or
/// <c>./</c> is dropped and a trailing <c>/</c> means everything below. Allow globs match case-sensitively
/// (a path must be named exactly); deny globs case-insensitively, and a deny glob also covers everything below a
/// directory it matches, so that <c>.GitHub/x</c> and <c>secrets</c> (for <c>secrets/**</c>) are denied too.
/// </summary>
internal sealed class ScopeMatcher
{
    private const string MatchRoot = "/scope";

    private readonly Matcher? _allow;
    private readonly IReadOnlyList<Matcher> _within = [];
    private readonly Matcher? _deny;

    private ScopeMatcher(string problem) => Problem = problem;

    private ScopeMatcher(Matcher allow, IReadOnlyList<Matcher> within, Matcher deny)
    {
        _allow = allow;
        _within = within;
        _deny = deny;
    }

    /// <summary>Why the scope is unusable (then every path is refused), or null.</summary>
    public string? Problem { get; }

    public static ScopeMatcher Compile(Scope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (scope.Allow is null || scope.Deny is null || scope.Within is null)
        {
            return new ScopeMatcher("it has no allow or deny list");
        }

        if (scope.MaxFiles <= 0 || scope.MaxChangedLines <= 0)
        {
            return new ScopeMatcher($"its limits must be positive (max_files {scope.MaxFiles}, max_changed_lines {scope.MaxChangedLines})");
        }

        var allow = AllowMatcher(scope.Allow, "allow", out var problem);
        if (allow is null)
        {
            return new ScopeMatcher(problem);
        }

        var within = new List<Matcher>();
        foreach (var list in scope.Within)
        {
            var matcher = AllowMatcher(list, "repository allow", out problem);
            if (matcher is null)
            {
                return new ScopeMatcher(problem);
            }

            within.Add(matcher);
        }

        var deny = new Matcher(StringComparison.OrdinalIgnoreCase);
        foreach (var glob in scope.Deny.Concat(ScopeSettings.AlwaysDenied))
        {
            var normalised = Normalise(glob, "deny", out problem);
            if (normalised is null)
            {
                return new ScopeMatcher(problem);
            }

            deny.AddInclude(normalised);
            deny.AddInclude(normalised + "/**");
        }

        return new ScopeMatcher(allow, within, deny);
    }

    /// <summary>Matched by the allow globs and by one glob of every repository allow list.</summary>
    public bool IsAllowed(string relativePath) =>
        _allow is not null && Matches(_allow, relativePath) && _within.All(m => Matches(m, relativePath));

    /// <summary>Matched by a deny glob (or lies below a denied directory); true for every path of an invalid scope.</summary>
    public bool IsDenied(string relativePath) => _deny is null || Matches(_deny, relativePath);

    /// <summary>The glob as the matcher reads it, or null with <paramref name="problem"/> set.</summary>
    public static string? Normalise(string? glob, string list, out string problem)
    {
        problem = "";
        if (string.IsNullOrWhiteSpace(glob))
        {
            problem = $"an empty {list} glob";
            return null;
        }

        var text = glob.Trim();
        if (text.StartsWith("./", StringComparison.Ordinal))
        {
            text = text[2..];
        }
        else if (text.StartsWith('/'))
        {
            text = text[1..];
        }

        if (text.EndsWith('/'))
        {
            text += "**";
        }

        if (text.Length == 0 || text.IndexOfAny(['?', '[', ']', '{', '}', '!', '\\', '\0']) >= 0
            || text.Any(char.IsControl) || (text.Length >= 2 && text[1] == ':'))
        {
            problem = $"the {list} glob '{glob}' uses syntax that is not supported (only names, '*' and '**')";
            return null;
        }

        foreach (var segment in text.Split('/'))
        {
            if (segment.Length == 0 || segment is "." or "..")
            {
                problem = $"the {list} glob '{glob}' has an empty, '.' or '..' segment";
                return null;
            }

            if (segment != "**" && segment.Contains("**", StringComparison.Ordinal))
            {
                problem = $"the {list} glob '{glob}' uses '**' inside a name ('**' must be a whole segment, as in 'src/**/*.cs')";
                return null;
            }
        }

        return text;
    }

    private static Matcher? AllowMatcher(IReadOnlyList<string> globs, string list, out string problem)
    {
        problem = "";
        if (globs.Count == 0)
        {
            problem = $"its {list} list is empty";
            return null;
        }

        var matcher = new Matcher(StringComparison.Ordinal);
        foreach (var glob in globs)
        {
            var normalised = Normalise(glob, list, out problem);
            if (normalised is null)
            {
                return null;
            }

            matcher.AddInclude(normalised);
        }

        return matcher;
    }

    private static bool Matches(Matcher matcher, string relativePath) =>
        matcher.Match(MatchRoot, [relativePath]).HasMatches;
}
