using System.Text;
using Atom.Bot.Configuration;
using Atom.Bot.Tasks;

namespace Atom.Bot.Workers;

/// <summary>A scope as the model reads it, in the planner's and the worker's prompts.</summary>
public static class ScopeDescription
{
    public static string Describe(this Scope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var problem = ScopeMatcher.Compile(scope).Problem;
        if (problem is not null)
        {
            return $"This assignment's scope is invalid ({problem}), so every path is refused: you cannot read or change anything.";
        }

        var text = new StringBuilder();
        text.Append("You may read and change only files matching ").Append(List(scope.Allow));
        foreach (var list in scope.Within)
        {
            text.Append(", and only where they also match ").Append(List(list));
        }

        text.AppendLine(".");
        text.Append("Never touch, whatever else matches: ")
            .Append(List(scope.Deny.Concat(ScopeSettings.AlwaysDenied).Distinct(StringComparer.Ordinal).ToList()))
            .AppendLine(" (and everything below those folders).");
        text.Append("Limits for the whole assignment: at most ").Append(scope.MaxFiles).Append(" changed files and ")
            .Append(scope.MaxChangedLines).AppendLine(" changed lines (added plus removed, against the files as they were at the start).");
        text.Append("In globs, '*' matches within one folder name and '**' across any number of folders. ")
            .Append("Paths are relative to the repository root, separated by '/'; symbolic links are refused.");
        return text.ToString();
    }

    private static string List(IReadOnlyList<string> globs) => string.Join(", ", globs.Select(g => $"'{g}'"));
}
