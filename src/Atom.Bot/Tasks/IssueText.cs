using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Atom.Bot.Tasks;

/// <summary>
/// Issue text is data, not instructions: before a model sees it, hidden HTML comments and invisible or
/// direction-changing Unicode characters (the usual carriers of prompt injection) are removed.
/// </summary>
public static partial class IssueText
{
    public static string Clean(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var withoutComments = HtmlComment().Replace(text, "");
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

    private static bool IsVisible(Rune rune)
    {
        if (rune.Value is '\n' or '\r' or '\t')
        {
            return true;
        }

        // Unicode tag characters (U+E0000..U+E007F) smuggle invisible ASCII.
        if (rune.Value is >= 0xE0000 and <= 0xE007F)
        {
            return false;
        }

        var category = Rune.GetUnicodeCategory(rune);
        return category is not (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.PrivateUse
            or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned);
    }

    // An unterminated comment hides everything after it from a reader of the rendered issue, so it goes too.
    [GeneratedRegex("<!--.*?(-->|$)", RegexOptions.Singleline)]
    private static partial Regex HtmlComment();
}
