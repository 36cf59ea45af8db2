using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Atom.Bot.Tasks;

namespace Atom.Bot.Certification;

/// <summary>
/// Text from the model, the issue or a test run, made inert for a GitHub markdown body: markdown and HTML characters are
/// escaped (so nothing can open a table cell, a code fence, an HTML tag or a comment), and <c>@mentions</c>, <c>#123</c>
/// references and closing keywords ("fixes #5") get a zero-width joiner so that GitHub neither pings, links nor closes.
/// </summary>
internal static partial class Markdown
{
    private const char Joiner = '\u200D';
    private const string Ellipsis = "…";

    /// <summary>One line (a table cell, a list item): whitespace collapsed, escaped, cut to <paramref name="max"/> characters.</summary>
    public static string Inline(string? text, int max)
    {
        var clean = Whitespace().Replace(IssueText.Clean(text), " ");
        return Escape(Defuse(Cut(clean, max)));
    }

    /// <summary>Plain text (a title, a commit status description): invisible characters removed, whitespace collapsed, cut.</summary>
    public static string Plain(string? text, int max) => Cut(Whitespace().Replace(IssueText.Clean(text), " "), max);

    /// <summary>Text that keeps its line breaks; no line can start a heading, list, quote, fence or indented code block.</summary>
    public static string Paragraph(string? text, int max)
    {
        var lines = Cut(IssueText.Clean(text), max).ReplaceLineEndings("\n").Split('\n');
        var builder = new StringBuilder();
        var blank = false;
        foreach (var raw in lines)
        {
            var line = Whitespace().Replace(raw, " ").Trim();
            if (line.Length == 0)
            {
                blank = builder.Length > 0;
                continue;
            }

            if (builder.Length > 0)
            {
                builder.Append(blank ? "\n\n" : "\n");
            }

            blank = false;
            builder.Append(EscapeLineStart(Escape(Defuse(line))));
        }

        return builder.ToString();
    }

    /// <summary>A code span for short trusted text (a SHA, a branch, a command) outside tables; backticks in it cannot end it.</summary>
    public static string Code(string? text)
    {
        var clean = Whitespace().Replace(IssueText.Clean(text), " ");
        var fence = new string('`', LongestRun(clean, '`') + 1);
        var pad = clean.StartsWith('`') || clean.EndsWith('`') ? " " : "";
        return $"{fence}{pad}{clean}{pad}{fence}";
    }

    /// <summary>A fenced block for raw output: the fence is longer than any backtick run inside, so the text cannot close it.</summary>
    public static string Fenced(string? text, string info)
    {
        var clean = IssueText.Clean(text).ReplaceLineEndings("\n");
        var fence = new string('`', Math.Max(3, LongestRun(clean, '`') + 1));
        return $"{fence}{info}\n{clean}\n{fence}";
    }

    /// <summary>The last <paramref name="max"/> characters, starting at a line boundary when one is near.</summary>
    public static string Tail(string? text, int max)
    {
        if (string.IsNullOrEmpty(text) || text.Length <= max)
        {
            return text ?? "";
        }

        var tail = text[^max..];
        var newline = tail.IndexOf('\n', StringComparison.Ordinal);
        return newline >= 0 && newline < max / 4 ? tail[(newline + 1)..] : tail;
    }

    public static string Cut(string? text, int max)
    {
        if (string.IsNullOrEmpty(text) || text.Length <= max)
        {
            return text ?? "";
        }

        var end = max - 1;
        if (char.IsHighSurrogate(text[end - 1]))
        {
            end--;
        }

        return text[..end] + Ellipsis;
    }

    public static string Number(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Duration(TimeSpan duration) => duration.TotalSeconds switch
    {
        < 60 => $"{Number(duration.TotalSeconds, "0.0")} s",
        < 3600 => $"{(int)duration.TotalMinutes} min {duration.Seconds} s",
        _ => $"{(int)duration.TotalHours} h {duration.Minutes} min",
    };

    private static string Defuse(string text)
    {
        var keywords = ClosingKeyword().Replace(text, m => m.Value[0] + Joiner.ToString() + m.Value[1..]);
        return keywords.Replace("@", "@" + Joiner, StringComparison.Ordinal).Replace("#", "#" + Joiner, StringComparison.Ordinal);
    }

    private static string Escape(string text)
    {
        var builder = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c is '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '|' or '~' or '&' or '!')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    private static string EscapeLineStart(string line)
    {
        if (line[0] is '-' or '+' or '=' or '#')
        {
            return "\\" + line;
        }

        var ordered = OrderedListStart().Match(line);
        return ordered.Success ? line.Insert(ordered.Length - 1, "\\") : line;
    }

    /// <summary>The longest run of <paramref name="c"/> in <paramref name="text"/>: a fence must be longer to hold it.</summary>
    public static int LongestRun(string text, char c)
    {
        int longest = 0, run = 0;
        foreach (var x in text)
        {
            run = x == c ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        return longest;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"^\d+[.)]")]
    private static partial Regex OrderedListStart();

    // GitHub closes issues on these keywords followed by a reference, "#5" or a URL alike.
    [GeneratedRegex(@"\b(close[sd]?|fix(e[sd])?|resolve[sd]?)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ClosingKeyword();
}
