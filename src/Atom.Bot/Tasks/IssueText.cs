using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Atom.Bot.Tasks;

/// <summary>
/// Issue text is data, not instructions: before a model sees it, whatever a person reading the rendered issue would not
/// see goes: HTML comments, Markdown comment lines (link reference definitions nothing refers to, as in <c>[//]: # (…)</c>),
/// and invisible or direction-changing Unicode characters (format and control characters, tag characters, variation
/// selectors, Hangul fillers), the usual carriers of prompt injection.
/// </summary>
public static partial class IssueText
{
    public static string Clean(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var withoutComments = WithoutUnusedDefinitions(HtmlComment().Replace(text, ""));
        var builder = new StringBuilder(withoutComments.Length);
        foreach (var rune in withoutComments.EnumerateRunes())
        {
            if (IsVisible(rune))
            {
                builder.Append(rune.ToString());
            }
        }

        return builder.ToString().Normalize(NormalizationForm.FormC).Trim();
    }

    /// <summary>An issue title, cleaned like a body and kept on one line.</summary>
    public static string CleanTitle(string? title) => Whitespace().Replace(Clean(title), " ");

    /// <summary>
    /// Link reference definitions render as nothing; one that no <c>[text][label]</c> or <c>[label]</c> in the text uses
    /// is a hidden line (the Markdown comment idiom <c>[//]: # (…)</c>), so it goes.
    /// </summary>
    private static string WithoutUnusedDefinitions(string text) =>
        Definition().Replace(text, match =>
        {
            var label = match.Groups["label"].Value;
            var rest = text.Remove(match.Index, match.Length);
            return rest.Contains($"[{label}]", StringComparison.OrdinalIgnoreCase) ? match.Value : "";
        });

    private static bool IsVisible(Rune rune)
    {
        if (rune.Value is '\n' or '\r' or '\t')
        {
            return true;
        }

        // Unicode tag characters (U+E0000..U+E007F) smuggle invisible ASCII; variation selectors (U+FE00..U+FE0F,
        // U+E0100..U+E01EF) can carry bytes behind an emoji; Hangul fillers and the braille blank render as blank letters.
        if (rune.Value is (>= 0xE0000 and <= 0xE007F) or (>= 0xFE00 and <= 0xFE0F) or (>= 0xE0100 and <= 0xE01EF)
            or 0x115F or 0x1160 or 0x3164 or 0xFFA0 or 0x2800 or 0x180E)
        {
            return false;
        }

        var category = Rune.GetUnicodeCategory(rune);
        return category is not (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.PrivateUse
            or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned);
    }

    // A link reference definition on a line of its own: up to three spaces, [label]:, a destination, an optional title.
    [GeneratedRegex(@"^ {0,3}\[(?<label>[^\]\n]+)\]:[ \t]*\S.*(\r?\n|$)", RegexOptions.Multiline)]
    private static partial Regex Definition();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    // An unterminated comment hides everything after it from a reader of the rendered issue, so it goes too.
    [GeneratedRegex("<!--.*?(-->|$)", RegexOptions.Singleline)]
    private static partial Regex HtmlComment();
}
