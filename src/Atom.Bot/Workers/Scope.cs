using System.Text;
using Atom.Bot.Configuration;

namespace Atom.Bot.Workers;

/// <summary>
/// What an assignment may touch: a path must match an <see cref="Allow"/> glob (and one glob of every list in
/// <see cref="Within"/>) and no <see cref="Deny"/> glob; <see cref="MaxFiles"/> and <see cref="MaxChangedLines"/>
/// bound the cumulative change. Glob syntax is described on <see cref="ScopeGuard"/>.
/// </summary>
public sealed record Scope(IReadOnlyList<string> Allow, IReadOnlyList<string> Deny, int MaxFiles, int MaxChangedLines)
{
    private static readonly IReadOnlyList<string> Everything = ["**"];

    /// <summary>
    /// Allow lists of the scopes this one was narrowed to: a path must also match one glob of each. Kept as lists
    /// because the intersection of two glob sets is not in general a glob set.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> Within { get; init; } = [];

    /// <summary>A repository's scope from <c>.github/atom.yml</c>, with the always-denied paths added.</summary>
    public static Scope From(ScopeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new Scope(
            [.. settings.Allow],
            [.. settings.Deny.Concat(ScopeSettings.AlwaysDenied).Distinct(StringComparer.Ordinal)],
            settings.MaxFiles,
            settings.MaxChangedLines);
    }

    /// <summary>
    /// This (planned) scope narrowed to <paramref name="repositoryScope"/>, never widened: a path is allowed only if
    /// both allow it, the deny lists are joined, and each limit is the smaller one.
    /// </summary>
    public Scope NarrowTo(Scope repositoryScope)
    {
        ArgumentNullException.ThrowIfNull(repositoryScope);
        var allow = Allow;
        var within = Within.Concat(repositoryScope.Within).ToList();
        if (IsEverything(allow) && Within.Count == 0)
        {
            allow = repositoryScope.Allow;
        }
        else if (!IsEverything(repositoryScope.Allow))
        {
            within.Add(repositoryScope.Allow);
        }

        return new Scope(
            allow,
            [.. Deny.Concat(repositoryScope.Deny).Distinct(StringComparer.Ordinal)],
            Math.Min(MaxFiles, repositoryScope.MaxFiles),
            Math.Min(MaxChangedLines, repositoryScope.MaxChangedLines))
        {
            Within = within,
        };
    }

    /// <summary>
    /// One scope for the work of several (merged assignments, a revision of the whole task), never wider than any of
    /// them allows together: allow lists are joined, but so are deny lists and <see cref="Within"/> lists, and each
    /// limit is the smallest. Joining the denies can refuse a path one member alone would allow; the exact union is
    /// not a glob set, and doubt refuses.
    /// </summary>
    public static Scope Combine(IReadOnlyList<Scope> scopes)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        ArgumentOutOfRangeException.ThrowIfZero(scopes.Count);
        if (scopes.Count == 1)
        {
            return scopes[0];
        }

        return new Scope(
            [.. scopes.SelectMany(s => s.Allow).Distinct(StringComparer.Ordinal)],
            [.. scopes.SelectMany(s => s.Deny).Distinct(StringComparer.Ordinal)],
            scopes.Min(s => s.MaxFiles),
            scopes.Min(s => s.MaxChangedLines))
        {
            Within = [.. scopes.SelectMany(s => s.Within).DistinctBy(list => string.Join('\n', list), StringComparer.Ordinal)],
        };
    }

    /// <summary>The scope in plain words, for the worker's prompt.</summary>
    public string Describe()
    {
        var problem = ScopeMatcher.Compile(this).Problem;
        if (problem is not null)
        {
            return $"This assignment's scope is invalid ({problem}), so every path is refused: you cannot read or change anything.";
        }

        var text = new StringBuilder();
        text.Append("You may read and change only files matching ").Append(List(Allow));
        foreach (var list in Within)
        {
            text.Append(", and only where they also match ").Append(List(list));
        }

        text.AppendLine(".");
        text.Append("Never touch, whatever else matches: ")
            .Append(List(Deny.Concat(ScopeSettings.AlwaysDenied).Distinct(StringComparer.Ordinal).ToList()))
            .AppendLine(" (and everything below those folders).");
        text.Append("Limits for the whole assignment: at most ").Append(MaxFiles).Append(" changed files and ")
            .Append(MaxChangedLines).AppendLine(" changed lines (added plus removed, against the files as they were at the start).");
        text.Append("In globs, '*' matches within one folder name and '**' across any number of folders. ")
            .Append("Paths are relative to the repository root, separated by '/'; symbolic links are refused.");
        return text.ToString();
    }

    private static bool IsEverything(IReadOnlyList<string> allow) => allow.SequenceEqual(Everything, StringComparer.Ordinal);

    private static string List(IReadOnlyList<string> globs) => string.Join(", ", globs.Select(g => $"'{g}'"));
}
