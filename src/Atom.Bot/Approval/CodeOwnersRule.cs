using System.Text.RegularExpressions;

namespace Atom.Bot.Approval;

/// <summary>One line of a CODEOWNERS file: a path pattern and its owners (<c>@login</c>, <c>@org/team</c> or an email).</summary>
public sealed record CodeOwnersRule(string Pattern, IReadOnlyList<string> Owners, int Line)
{
    private readonly Regex _regex = Compile(Pattern);

    public bool Matches(string path) => _regex.IsMatch(path);

    /// <summary>
    /// GitHub's gitignore-like syntax: a leading or inner <c>/</c> anchors the pattern at the root, otherwise it matches at
    /// any depth; <c>*</c> stays within a folder and <c>**</c> crosses folders; a pattern names a file or a whole folder,
    /// except that <c>dir/*</c> names only the folder's direct children and <c>dir/</c> only what is inside.
    /// </summary>
    private static Regex Compile(string pattern)
    {
        var text = pattern;
        var inside = text.EndsWith('/');
        text = text.TrimEnd('/');
        var anchored = text.StartsWith('/') || text.Contains('/', StringComparison.Ordinal);
        text = text.TrimStart('/');
        var children = text == "*" || text.EndsWith("/*", StringComparison.Ordinal);

        var regex = new System.Text.StringBuilder(anchored ? "^" : "^(?:.*/)?");
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '*' && i + 1 < text.Length && text[i + 1] == '*')
            {
                var slashAfter = i + 2 < text.Length && text[i + 2] == '/';
                regex.Append(slashAfter ? "(?:.*/)?" : ".*");
                i += slashAfter ? 2 : 1;
            }
            else if (c == '*')
            {
                regex.Append("[^/]*");
            }
            else if (c == '?')
            {
                regex.Append("[^/]");
            }
            else if (c == '\\' && i + 1 < text.Length)
            {
                regex.Append(Regex.Escape(text[++i].ToString()));
            }
            else
            {
                regex.Append(Regex.Escape(c.ToString()));
            }
        }

        regex.Append(inside ? "/.*$" : children && anchored ? "$" : "(?:/.*)?$");
        return new Regex(regex.ToString(), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }
}
