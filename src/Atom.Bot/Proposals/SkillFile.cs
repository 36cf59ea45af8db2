using System.Text;
using Atom.Bot.Tasks;

namespace Atom.Bot.Proposals;

/// <summary>
/// The shape of a skill file, <c>.atom/skills/&lt;name&gt;.md</c>: a <c># &lt;name&gt;</c> heading, the sections
/// <see cref="RequiredSections"/>, at most <see cref="MaxBytes"/> bytes. What a skill worker writes is checked
/// against this and against the approved spec before any pull request is opened.
/// </summary>
public static class SkillFile
{
    public const int MaxBytes = 8 * 1024;
    public const int MaxLines = 200;

    /// <summary>The constraint every skill spec carries, whoever worded the rest.</summary>
    public const string GuidanceOnly = "Guidance only: a skill grants no access; the assignment's scope and the repository's rules still apply.";

    public static readonly IReadOnlyList<string> RequiredSections = ["Purpose", "Inputs", "Outputs", "Constraints"];


    /// <summary>Why <paramref name="content"/> is not a valid skill file for <paramref name="spec"/>, or null when it is.</summary>
    public static string? Problem(string? content, SkillSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (content is null)
        {
            return $"the worker did not write `{SkillNames.PathOf(spec.Name)}`";
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
