using Atom.Bot.Configuration;

namespace Atom.Bot.Tasks;

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

    private static bool IsEverything(IReadOnlyList<string> allow) => allow.SequenceEqual(Everything, StringComparer.Ordinal);
}
