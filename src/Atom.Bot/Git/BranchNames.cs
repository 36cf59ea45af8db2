using System.Globalization;
using System.Text;

namespace Atom.Bot.Git;

/// <summary>
/// Branch names for a task: <c>atom/issue-&lt;n&gt;/&lt;slug&gt;</c>, and <c>atom/issue-&lt;n&gt;/&lt;slug&gt;/&lt;k&gt;</c> per assignment.
/// </summary>
/// <remarks>
/// Git stores refs as paths, so <c>a/b</c> and <c>a/b/1</c> cannot both exist, locally or at the remote. Hence:
/// a plan with one assignment works directly on the task branch (<see cref="WorkBranch"/>); with several, each works
/// on its assignment branch, and <see cref="GitWorkspace.CombineAsync"/> creates the task branch and deletes the
/// assignment branches in the same push. Revisions after that work on the task branch.
/// </remarks>
public static class BranchNames
{
    public const int MaxSlugLength = 40;

    private const string Fallback = "task";

    // Invariant globalization leaves string.Normalize without decomposition data, so fold the common Latin letters by hand.
    private static readonly Dictionary<char, string> Folds = BuildFolds(
        ("àáâãäåāăą", "a"), ("çćĉċč", "c"), ("ďđ", "d"), ("èéêëēĕėęě", "e"), ("ĝğġģ", "g"), ("ĥħ", "h"),
        ("ìíîïĩīĭįı", "i"), ("ĵ", "j"), ("ķ", "k"), ("ĺļľŀł", "l"), ("ñńņňŉ", "n"), ("òóôõöøōŏő", "o"),
        ("ŕŗř", "r"), ("śŝşšș", "s"), ("ţťŧț", "t"), ("ùúûüũūŭůűų", "u"), ("ŵ", "w"), ("ýÿŷ", "y"), ("źżž", "z"),
        ("ß", "ss"), ("æ", "ae"), ("œ", "oe"), ("þ", "th"), ("ð", "d"));

    /// <summary>
    /// The issue title as a branch-safe slug: lowercase ASCII letters and digits joined by single '-', at most 40
    /// characters (cut at a word boundary when possible), never empty.
    /// </summary>
    public static string Slug(string issueTitle)
    {
        var builder = new StringBuilder(MaxSlugLength + 8);
        var pendingDash = false;
        foreach (var c in (issueTitle ?? "").ToLowerInvariant())
        {
            var folded = char.IsAsciiLetterOrDigit(c) ? null : Folds.GetValueOrDefault(c);
            if (char.IsAsciiLetterOrDigit(c) || folded is not null)
            {
                if (pendingDash && builder.Length > 0)
                {
                    builder.Append('-');
                }

                pendingDash = false;
                if (folded is null)
                {
                    builder.Append(c);
                }
                else
                {
                    builder.Append(folded);
                }

                if (builder.Length > MaxSlugLength)
                {
                    break;
                }
            }
            else
            {
                pendingDash = true;
            }
        }

        var slug = builder.ToString();
        if (slug.Length > MaxSlugLength)
        {
            // Cut at the last word boundary when that keeps most of the length, else mid-word.
            var lastDash = slug.LastIndexOf('-', MaxSlugLength);
            slug = slug[..(lastDash > MaxSlugLength / 2 ? lastDash : MaxSlugLength)];
        }

        slug = slug.TrimEnd('-');
        return slug.Length == 0 ? Fallback : slug;
    }

    public static string TaskBranch(int issueNumber, string issueTitle)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(issueNumber);
        return string.Create(CultureInfo.InvariantCulture, $"atom/issue-{issueNumber}/{Slug(issueTitle)}");
    }

    public static string AssignmentBranch(int issueNumber, string issueTitle, int k) => AssignmentBranch(TaskBranch(issueNumber, issueTitle), k);

    /// <summary>Assignment <paramref name="k"/>'s branch under <paramref name="taskBranch"/>, whatever name the task branch got.</summary>
    public static string AssignmentBranch(string taskBranch, int k)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskBranch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        return string.Create(CultureInfo.InvariantCulture, $"{taskBranch}/{k}");
    }

    /// <summary>The branch assignment <paramref name="k"/> of <paramref name="assignmentCount"/> works on: the task branch when it is the only one.</summary>
    public static string WorkBranch(int issueNumber, string issueTitle, int k, int assignmentCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, assignmentCount);
        return assignmentCount == 1 ? TaskBranch(issueNumber, issueTitle) : AssignmentBranch(issueNumber, issueTitle, k);
    }

    /// <summary>Throws unless <paramref name="branch"/> is a name git accepts under <c>refs/heads/</c>.</summary>
    internal static void RequireValid(string branch)
    {
        ArgumentException.ThrowIfNullOrEmpty(branch);
        if (!LibGit2Sharp.Reference.IsValidName("refs/heads/" + branch))
        {
            throw new ArgumentException($"'{branch}' is not a valid branch name", nameof(branch));
        }
    }

    private static Dictionary<char, string> BuildFolds(params (string Letters, string Ascii)[] groups)
    {
        var folds = new Dictionary<char, string>();
        foreach (var (letters, ascii) in groups)
        {
            foreach (var letter in letters)
            {
                folds[letter] = ascii;
            }
        }

        return folds;
    }
}
