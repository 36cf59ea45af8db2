using System.Text.RegularExpressions;
using Atom.Bot.GitHub;

namespace Atom.Bot.Tests.GitHub;

/// <summary>The README's manual App setup asks for what <see cref="AppRequirements"/> holds, so a manual App and <c>atom setup</c>'s are the same.</summary>
public sealed partial class AppRequirementsTests
{
    private static readonly Dictionary<string, string> PermissionNames = new(StringComparer.Ordinal)
    {
        ["Issues"] = "issues", ["Pull requests"] = "pull_requests", ["Contents"] = "contents", ["Checks"] = "checks",
        ["Commit statuses"] = "statuses", ["Metadata"] = "metadata", ["Administration"] = "administration",
    };

    [Fact]
    public void Readme_permission_table_lists_exactly_the_required_permissions()
    {
        var section = AppSection();
        var rows = TableRow().Matches(section).ToDictionary(m => PermissionNames[m.Groups["name"].Value], m => m.Groups["access"].Value);

        var required = rows.Where(r => !r.Value.Contains("optional", StringComparison.Ordinal))
            .ToDictionary(r => r.Key, r => r.Value.StartsWith("Read and write", StringComparison.Ordinal) ? "write" : "read");
        required.ShouldBe(AppRequirements.Permissions, ignoreOrder: true);
    }

    [Fact]
    public void Readme_events_are_exactly_the_events_an_app_for_atom_subscribes_to()
    {
        var section = AppSection();
        var step = section[section.IndexOf("**Subscribe to events**", StringComparison.Ordinal)..section.IndexOf("`installation` events", StringComparison.Ordinal)];
        var events = Italic().Matches(step).Select(m => m.Groups[1].Value.ToLowerInvariant().Replace(' ', '_')).Distinct().ToList();

        events.ShouldBe(AppRequirements.AllEvents, ignoreOrder: true);
    }

    private static string AppSection()
    {
        var readme = RepositoryFiles.Read("README.md").ReplaceLineEndings("\n");
        var start = readme.IndexOf("### As a GitHub App", StringComparison.Ordinal);
        return readme[start..readme.IndexOf("### With a personal access token", start, StringComparison.Ordinal)];
    }

    [GeneratedRegex(@"^\s*\| (?<name>[A-Z][a-z ]+) \| (?<access>[^|]+) \|$", RegexOptions.Multiline)]
    private static partial Regex TableRow();

    [GeneratedRegex(@"(?<!\*)\*([A-Z][a-z ]+)\*(?!\*)")]
    private static partial Regex Italic();
}
