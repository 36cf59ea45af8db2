using System.Text;
using Atom.Bot.Git;

namespace Atom.Bot.Proposals;

/// <summary>
/// The shape of a skill file, <c>.atom/skills/&lt;name&gt;.md</c>: a <c># &lt;name&gt;</c> heading, the sections
/// <see cref="RequiredSections"/>, at most <see cref="MaxBytes"/> bytes. What a skill worker writes is checked
/// against this and against the approved spec before any pull request is opened.
/// </summary>
public static class SkillFile
{
    public const string Folder = ".atom/skills";
    public const int MaxBytes = 8 * 1024;
    public const int MaxLines = 200;

    /// <summary>The constraint every skill spec carries, whoever worded the rest.</summary>
    public const string GuidanceOnly = "Guidance only: a skill grants no access; the assignment's scope and the repository's rules still apply.";

    public static readonly IReadOnlyList<string> RequiredSections = ["Purpose", "Inputs", "Outputs", "Constraints"];

    /// <summary>A skill name from a gap key: lowercase letters, digits and dashes, never empty.</summary>
    public static string NameFor(string key) => BranchNames.Slug(key);

    /// <summary>True for names <see cref="NameFor"/> can produce: nothing that could leave the skills folder.</summary>
    public static bool IsValidName(string name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 60 && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
        && !name.StartsWith('-') && !name.EndsWith('-');

    /// <summary>
    /// A skill name the model wrote (<c>API versioning</c>, <c>.atom/skills/api-versioning.md</c>) as the plain name
    /// <see cref="IsValidName"/> accepts (<c>api-versioning</c>), or null when nothing of a name is left.
    /// </summary>
    public static string? NormaliseName(string? raw)
    {
        var text = (raw ?? "").Trim();
        if (text.StartsWith(Folder + "/", StringComparison.OrdinalIgnoreCase))
        {
            text = text[(Folder.Length + 1)..];
        }

        if (text.EndsWith(".md", StringComparison.OrdinalIgnoreCase))
        {
            text = text[..^3];
        }

        if (!text.Any(char.IsAsciiLetterOrDigit))
        {
            return null;
        }

        var name = BranchNames.Slug(text);
        return IsValidName(name) ? name : null;
    }

    public static string PathOf(string name) => $"{Folder}/{name}.md";

    /// <summary>Why <paramref name="content"/> is not a valid skill file for <paramref name="spec"/>, or null when it is.</summary>
    public static string? Problem(string? content, SkillSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (content is null)
        {
            return $"the worker did not write `{PathOf(spec.Name)}`";
        }

        if (Encoding.UTF8.GetByteCount(content) > MaxBytes)
        {
            return $"the skill is larger than {MaxBytes} bytes";
        }

        var lines = content.ReplaceLineEndings("\n").Split('\n');
        if (lines.Length > MaxLines)
        {
            return $"the skill has more than {MaxLines} lines";
        }

        if (lines.FirstOrDefault(l => l.Trim().Length > 0)?.Trim() != $"# {spec.Name}")
        {
            return $"the skill must start with the heading `# {spec.Name}`";
        }

        var headings = lines.Where(l => l.StartsWith("## ", StringComparison.Ordinal)).Select(l => l[3..].Trim()).ToList();
        var missing = RequiredSections.Where(s => !headings.Contains(s, StringComparer.OrdinalIgnoreCase)).ToList();
        return missing.Count > 0 ? $"the skill lacks the section(s) {string.Join(", ", missing.Select(m => $"`## {m}`"))}" : null;
    }
}
