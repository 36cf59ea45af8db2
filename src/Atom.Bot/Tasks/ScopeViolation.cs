using System.Globalization;
using System.Text;

namespace Atom.Bot.Tasks;

/// <summary>A refused path or change, with a reason written for the model (and the audit log) to read.</summary>
public sealed record ScopeViolation
{
    private const int MaxShownPathChars = 200;

    /// <param name="path">The path as given; invisible and control characters are shown as <c>\uXXXX</c>, long paths are shortened.</param>
    /// <param name="reason">Why it is refused, as a sentence fragment: "is outside the scope (allow: src/**)".</param>
    public ScopeViolation(string path, string reason)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(reason);
        Path = Escape(path, MaxShownPathChars);
        Reason = reason;
    }

    public string Path { get; }

    public string Reason { get; }

    /// <summary>What the model sees as the tool result.</summary>
    public string ToToolMessage() => $"Refused: '{Path}' {Reason}. Nothing was changed.";

    /// <summary>Model-given text made safe to show and log: invisible and control characters escaped, cut after <paramref name="maxChars"/>.</summary>
    internal static string Escape(string text, int maxChars)
    {
        var escaped = new StringBuilder(Math.Min(text.Length, maxChars) + 8);
        foreach (var c in text)
        {
            if (escaped.Length >= maxChars)
            {
                escaped.Append('…');
                break;
            }

            var category = char.GetUnicodeCategory(c);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned)
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }
}
