using Atom.Bot.Git;

namespace Atom.Bot.Tasks;

/// <summary>
/// Skill names and where skill files live (<c>.atom/skills/&lt;name&gt;.md</c>): a plan names missing skills, gap
/// detection proposes them, a skill worker writes one. Only names that cannot leave the skills folder are names.
/// </summary>
public static class SkillNames
{
    public const string Folder = ".atom/skills";

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
}
