using System.Globalization;
using System.Text;

namespace Atom.Bot.Workers;

/// <summary>
/// Turns a path the model gave into a plain relative path ('/'-separated, no '.', no empty segments) or says why it
/// cannot be one. Pure text: no I/O. Everything that could name something other than what it looks like is refused
/// rather than repaired: '..', absolute and drive paths, backslashes, invisible characters, names Windows or macOS
/// would alias (trailing dots and spaces, device names, 8.3 short names). Unicode normalisation is not checked:
/// the service runs with invariant globalization, where it is unavailable, and the always-denied names are ASCII.
/// </summary>
internal static class RelativePath
{
    public const int MaxChars = 1024;
    public const int MaxSegmentBytes = 255;
    public const int MaxDepth = 64;

    private static readonly HashSet<string> DeviceNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "con", "prn", "aux", "nul", "conin$", "conout$",
        "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9",
        "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
    };

    /// <summary>The normalised path, or null with <paramref name="reason"/> set. "." and "" mean the root only when <paramref name="rootAllowed"/>.</summary>
    public static string? Normalise(string? raw, bool rootAllowed, out string reason)
    {
        reason = "";
        if (string.IsNullOrEmpty(raw))
        {
            reason = "is empty; give a path relative to the repository root";
            return null;
        }

        if (raw.Length > MaxChars)
        {
            reason = $"is longer than {MaxChars} characters";
            return null;
        }

        var problem = CharacterProblem(raw);
        if (problem is not null)
        {
            reason = problem;
            return null;
        }

        if (raw[0] == '/')
        {
            reason = "is absolute; give a path relative to the repository root";
            return null;
        }

        var segments = new List<string>();
        foreach (var segment in raw.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                reason = "contains '..'; paths must stay inside the repository";
                return null;
            }

            problem = SegmentProblem(segment);
            if (problem is not null)
            {
                reason = problem;
                return null;
            }

            segments.Add(segment);
        }

        if (segments.Count > MaxDepth)
        {
            reason = $"is nested deeper than {MaxDepth} folders";
            return null;
        }

        if (segments.Count == 0 && !rootAllowed)
        {
            reason = "names the repository root, not a file";
            return null;
        }

        return string.Join('/', segments);
    }

    private static string? CharacterProblem(string raw)
    {
        if (raw.Length >= 2 && char.IsAsciiLetter(raw[0]) && raw[1] == ':')
        {
            return "is a Windows drive path; give a path relative to the repository root";
        }

        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (char.IsSurrogate(c))
            {
                if (!char.IsSurrogatePair(raw, i))
                {
                    return "contains an invalid (unpaired surrogate) character";
                }

                var category = CharUnicodeInfo.GetUnicodeCategory(raw, i);
                if (category is UnicodeCategory.Format or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned)
                {
                    return $"contains the invisible or unassigned character U+{char.ConvertToUtf32(raw, i):X4}";
                }

                i++;
                continue;
            }

            switch (char.GetUnicodeCategory(c))
            {
                case UnicodeCategory.Control:
                    return $"contains the control character U+{(int)c:X4}";
                case UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                    or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned:
                    return $"contains the invisible or unassigned character U+{(int)c:X4}";
            }

            switch (c)
            {
                case '\\':
                    return "contains a backslash; separate folders with '/'";
                case ':':
                    return "contains ':' (drive letters and alternate data streams are refused)";
            }
        }

        return null;
    }

    private static string? SegmentProblem(string segment)
    {
        if (Encoding.UTF8.GetByteCount(segment) > MaxSegmentBytes)
        {
            return $"has a name longer than {MaxSegmentBytes} bytes";
        }

        if (segment[^1] is '.' or ' ' || segment[0] == ' ')
        {
            return $"has the name '{segment}', which starts with a space or ends with a dot or a space (Windows would read it as another name)";
        }

        var stem = segment.Split('.')[0];
        if (DeviceNames.Contains(stem))
        {
            return $"uses the reserved device name '{stem}'";
        }

        var tilde = segment.IndexOf('~', StringComparison.Ordinal);
        if (tilde >= 0 && tilde + 1 < segment.Length && char.IsAsciiDigit(segment[tilde + 1]))
        {
            return $"has the name '{segment}', which looks like a Windows short name (such as GIT~1)";
        }

        return null;
    }
}
