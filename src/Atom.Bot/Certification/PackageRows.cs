using Atom.Bot.Git;
using Atom.Bot.Tasks;

namespace Atom.Bot.Certification;

/// <summary>The package's rows from what Git and the scope guard report: one mapping for task and proposal packages.</summary>
public static class PackageRows
{
    /// <summary>The package's rows for a diff.</summary>
    public static IReadOnlyList<PackageChange> Changes(IEnumerable<ChangedFile> changes) =>
        changes.Select(c => new PackageChange(c.Path, c.OldPath, c.Status.ToString().ToLowerInvariant(), c.LinesAdded, c.LinesRemoved, c.IsBinary)).ToList();

    /// <summary>The package's rows for tool refusals and scope violations.</summary>
    public static IReadOnlyList<PackageRefusal> Refusals(IEnumerable<ScopeViolation> violations) =>
        violations.Select(v => new PackageRefusal(v.Path, v.Reason)).ToList();
}
