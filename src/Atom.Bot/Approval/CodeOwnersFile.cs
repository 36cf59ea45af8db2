namespace Atom.Bot.Approval;

/// <summary>
/// A parsed CODEOWNERS file. The last rule that matches a path decides its owners; a rule without owners leaves the path
/// without any. Negated patterns (<c>!</c>) and character ranges (<c>[ ]</c>), which GitHub does not support, are skipped.
/// </summary>
public sealed class CodeOwnersFile
{
    /// <summary>Where GitHub looks, in this order; the first that exists is the file.</summary>
    public static readonly IReadOnlyList<string> Locations = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

    public static readonly CodeOwnersFile Empty = new([]);

    private CodeOwnersFile(IReadOnlyList<CodeOwnersRule> rules) => Rules = rules;

    public IReadOnlyList<CodeOwnersRule> Rules { get; }

    public static CodeOwnersFile Parse(string? text)
    {
        var rules = new List<CodeOwnersRule>();
        var number = 0;
        foreach (var raw in (text ?? "").ReplaceLineEndings("\n").Split('\n'))
        {
            number++;
            var line = StripComment(raw).Trim();
            if (line.Length == 0 || line.StartsWith('!') || line.Contains('[', StringComparison.Ordinal))
            {
                continue;
            }

            var parts = SplitUnescaped(line);
            rules.Add(new CodeOwnersRule(parts[0], parts.Skip(1).ToList(), number));
        }

        return new CodeOwnersFile(rules);
    }

    /// <summary>The rule that decides <paramref name="path"/>'s owners (the last one matching), or null when none matches.</summary>
    public CodeOwnersRule? RuleFor(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var normalized = path.TrimStart('/');
        for (var i = Rules.Count - 1; i >= 0; i--)
        {
            if (Rules[i].Matches(normalized))
            {
                return Rules[i];
            }
        }

        return null;
    }

    /// <summary>The owners of <paramref name="path"/>; empty when no rule matches or the last match names none.</summary>
    public IReadOnlyList<string> OwnersOf(string path) => RuleFor(path)?.Owners ?? [];

    /// <summary>A <c>#</c> starts a comment unless it is escaped (<c>\#</c>).</summary>
    private static string StripComment(string line)
    {
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '\\')
            {
                i++;
            }
            else if (line[i] == '#')
            {
                return line[..i];
            }
        }

        return line;
    }

    /// <summary>Whitespace separates the pattern and the owners; an escaped space (<c>\ </c>) stays in the pattern.</summary>
    private static List<string> SplitUnescaped(string line)
    {
        var parts = new List<string>();
        var current = new System.Text.StringBuilder();
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '\\' && i + 1 < line.Length)
            {
                current.Append(line[i]).Append(line[++i]);
            }
            else if (char.IsWhiteSpace(line[i]))
            {
                if (current.Length > 0)
                {
                    parts.Add(current.ToString());
                    current.Clear();
                }
            }
            else
            {
                current.Append(line[i]);
            }
        }

        if (current.Length > 0)
        {
            parts.Add(current.ToString());
        }

        return parts;
    }
}
