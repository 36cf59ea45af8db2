using System.Globalization;
using System.Text;

namespace Atom.Bot.Workers;

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
        Path = Printable(path);
        Reason = reason;
    }

    public string Path { get; }

    public string Reason { get; }

    /// <summary>What the model sees as the tool result.</summary>
    public string ToToolMessage() => $"Refused: '{Path}' {Reason}. Nothing was changed.";

    private static string Printable(string path)
    {
        var text = new StringBuilder(Math.Min(path.Length, MaxShownPathChars) + 8);
        foreach (var c in path)
        {
            if (text.Length >= MaxShownPathChars)
            {
                text.Append('…');
                break;
            }

            var category = char.GetUnicodeCategory(c);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned)
            {
                text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }
}
