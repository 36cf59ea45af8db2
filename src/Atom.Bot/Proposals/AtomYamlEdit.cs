using System.Globalization;
using System.Text.RegularExpressions;
using Atom.Bot.Configuration;
using Atom.Bot.Tasks;
using Atom.Bot.Workers;

namespace Atom.Bot.Proposals;

/// <summary>
/// The mechanical changes to <c>.github/atom.yml</c> a scope or settings proposal may carry, as text edits that keep
/// everything else (comments, order) as it was. Each result is parsed again and checked to do what it claims; an
/// edit that cannot be made that way is null, and the gap is then not proposed as a diff.
/// </summary>
public static partial class AtomYamlEdit
{
    /// <summary>Most a timeout proposal asks for: an hour.</summary>
    public const int MaxTestTimeoutSeconds = 3600;

    /// <summary>
    /// Lets the repository scope reach <paramref name="samplePath"/> through <paramref name="pattern"/>: adds it to
    /// <c>scope.allow</c> when no allow glob matches, removes the configured deny globs that match. Null when the
    /// repository scope does not refuse the path (the plan narrowed it), when the path is always denied, or when the
    /// file's layout is not one this edit understands.
    /// </summary>
    public static string? AllowPattern(string yaml, string pattern, string samplePath)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var parsed = RepoSettingsParser.Parse(yaml);
        if (parsed.Settings is not { } settings || GapDetector.PatternOf(samplePath) is null)
        {
            return null;
        }

        var matcher = ScopeMatcher.Compile(Scope.From(settings.Scope));
        var allowed = matcher.IsAllowed(samplePath);
        var deniedBy = settings.Scope.Deny.Where(d => ScopeMatcher.Compile(new Scope([d], [], 1, 1)).IsAllowed(samplePath)).ToList();
        if (allowed && deniedBy.Count == 0)
        {
            return null;
        }

        var lines = yaml.ReplaceLineEndings("\n").Split('\n').ToList();
        if (!allowed && !EditList(lines, "allow", items => [.. items, pattern]))
        {
            return null;
        }

        if (deniedBy.Count > 0 && !EditList(lines, "deny", items => items.Where(i => !deniedBy.Contains(i)).ToList()))
        {
            return null;
        }

        var edited = string.Join('\n', lines);
        var check = RepoSettingsParser.Parse(edited).Settings;
        return check is not null && ScopeMatcher.Compile(Scope.From(check.Scope)) is var after && after.IsAllowed(samplePath) && !after.IsDenied(samplePath)
            ? edited
            : null;
    }

    /// <summary><c>test_timeout_seconds</c> set to <paramref name="seconds"/>: the line replaced, or added when missing.</summary>
    public static string? SetTestTimeout(string yaml, int seconds)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var value = seconds.ToString(CultureInfo.InvariantCulture);
        var edited = TimeoutLine().IsMatch(yaml)
            ? TimeoutLine().Replace(yaml, m => $"test_timeout_seconds: {value}{m.Groups["comment"].Value}", 1)
            : (yaml.Length == 0 || yaml.EndsWith('\n') ? yaml : yaml + "\n") + $"test_timeout_seconds: {value}\n";
        return RepoSettingsParser.Parse(edited).Settings?.TestTimeoutSeconds == seconds ? edited : null;
    }

    /// <summary>Rewrites the list <c>scope.&lt;key&gt;</c> in place, in flow (<c>[a, b]</c>) or block (<c>- a</c>) style.</summary>
    private static bool EditList(List<string> lines, string key, Func<List<string>, List<string>> change)
    {
        var scope = lines.FindIndex(l => ScopeLine().IsMatch(l));
        if (scope < 0)
        {
            return false;
        }

        for (var i = scope + 1; i < lines.Count && (lines[i].Length == 0 || char.IsWhiteSpace(lines[i][0]) || lines[i].TrimStart().StartsWith('#')); i++)
        {
            var flow = FlowList().Match(lines[i]);
            if (flow.Success && flow.Groups["key"].Value == key)
            {
                var items = change(Items(flow.Groups["items"].Value));
                lines[i] = $"{flow.Groups["indent"].Value}{key}: [{string.Join(", ", items.Select(Quote))}]{flow.Groups["comment"].Value}";
                return true;
            }

            var block = BlockKey().Match(lines[i]);
            if (block.Success && block.Groups["key"].Value == key)
            {
                var first = i + 1;
                var end = first;
                while (end < lines.Count && BlockItem().Match(lines[end]) is { Success: true } m && m.Groups["indent"].Value.Length > block.Groups["indent"].Value.Length)
                {
                    end++;
                }

                var indent = end > first ? BlockItem().Match(lines[first]).Groups["indent"].Value : block.Groups["indent"].Value + "  ";
                var items = change(lines.Skip(first).Take(end - first).Select(l => Unquote(BlockItem().Match(l).Groups["item"].Value)).ToList());
                lines.RemoveRange(first, end - first);
                lines.InsertRange(first, items.Select(item => $"{indent}- {Quote(item)}"));
                return true;
            }
        }

        return false;
    }

    private static List<string> Items(string flow) =>
        flow.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Unquote).ToList();

    private static string Unquote(string item)
    {
        var text = item.Trim();
        var hash = text.IndexOf(" #", StringComparison.Ordinal);
        text = hash > 0 && !text.StartsWith('"') && !text.StartsWith('\'') ? text[..hash].Trim() : text;
        return text.Length >= 2 && (text[0] == '"' || text[0] == '\'') && text[^1] == text[0] ? text[1..^1] : text;
    }

    private static string Quote(string item) => $"\"{item}\"";

    [GeneratedRegex(@"^scope:\s*(#.*)?$")]
    private static partial Regex ScopeLine();

    [GeneratedRegex(@"^(?<indent>\s+)(?<key>allow|deny):\s*\[(?<items>[^\]]*)\](?<comment>\s*#.*)?\s*$")]
    private static partial Regex FlowList();

    [GeneratedRegex(@"^(?<indent>\s+)(?<key>allow|deny):\s*(#.*)?$")]
    private static partial Regex BlockKey();

    [GeneratedRegex(@"^(?<indent>\s+)-\s+(?<item>.+?)\s*$")]
    private static partial Regex BlockItem();

    [GeneratedRegex(@"^test_timeout_seconds:\s*\d+(?<comment>\s*#.*)?$", RegexOptions.Multiline)]
    private static partial Regex TimeoutLine();
}
