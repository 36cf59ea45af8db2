using System.Globalization;
using System.Text;
using Atom.Bot.Configuration;
using Atom.Bot.Tasks;

namespace Atom.Bot.Proposals;

/// <summary>
/// The detection rules (docs/proposals.md), deterministic and pure: the same histories always give the same gaps. The
/// model plays no part here; it may only word a proposal afterwards.
/// </summary>
public static class GapDetector
{
    private static readonly string[] NeverProposed = [".github", ".atom", ".git"];

    /// <summary>The key prefix of a skill gap the plans named (<c>missing:&lt;name&gt;</c>), apart from the findings' keys.</summary>
    public const string MissingSkillPrefix = "missing:";

    /// <param name="existingSkills">The names of the skills on the default branch: a plan that asks for one of them shows no gap.</param>
    public static IReadOnlyList<Gap> Detect(IReadOnlyList<TaskHistory> histories, ProposalThresholds thresholds, IReadOnlyCollection<string>? existingSkills = null)
    {
        ArgumentNullException.ThrowIfNull(histories);
        ArgumentNullException.ThrowIfNull(thresholds);
        return
        [
            .. ScopeGaps(histories, thresholds), .. ToolingGaps(histories, thresholds), .. SettingsGaps(histories, thresholds), .. SkillGaps(histories, thresholds),
            .. MissingSkillGaps(histories, thresholds, existingSkills ?? []),
        ];
    }

    /// <summary>
    /// The top-level pattern of a refused path (<c>docs/**</c> for <c>docs/a/b.md</c>, the file itself at the root), or
    /// null for paths no proposal may ever open up (<c>.github</c>, <c>.atom</c>, <c>.git</c>) and paths that are no path.
    /// </summary>
    public static string? PatternOf(string path)
    {
        var trimmed = (path ?? "").Replace('\\', '/').Trim();
        while (trimmed.StartsWith("./", StringComparison.Ordinal))
        {
            trimmed = trimmed[2..];
        }

        trimmed = trimmed.TrimStart('/');
        var segments = trimmed.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0 || segments.Any(s => s is "." or ".." || s.Contains('*', StringComparison.Ordinal) || s.Contains('\\', StringComparison.Ordinal))
            || NeverProposed.Contains(segments[0], StringComparer.OrdinalIgnoreCase)
            || segments.Any(s => s.Equals(".git", StringComparison.OrdinalIgnoreCase))
            || segments.Any(s => s.Any(char.IsControl)))
        {
            return null;
        }

        return segments.Length == 1 ? segments[0] : segments[0] + "/**";
    }

    private static IEnumerable<Gap> ScopeGaps(IReadOnlyList<TaskHistory> histories, ProposalThresholds thresholds)
    {
        // Only tasks a human let through: the refusal got in the way of work that was wanted anyway.
        var evidence = new Dictionary<string, List<GapEvidence>>(StringComparer.Ordinal);
        foreach (var history in histories.Where(h => h.Task.State is TaskState.AwaitingApproval or TaskState.Merged))
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var refusal in history.Assignments.SelectMany(a => a.Result?.Refusals ?? []))
            {
                if (!refusal.Reason.Contains("scope", StringComparison.Ordinal) || refusal.Reason.Contains("invalid", StringComparison.Ordinal)
                    || PatternOf(refusal.Path) is not { } pattern || !seen.Add(pattern))
                {
                    continue;
                }

                Add(evidence, pattern, new GapEvidence(history.Task.Id, history.Task.IssueNumber, refusal.Path));
            }
        }

        return evidence.Where(e => e.Value.Count >= thresholds.Scope).OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => new Gap(
            ProposalCategory.Scope,
            e.Key,
            $"Scope: allow `{e.Key}`",
            $"Workers were refused paths matching `{e.Key}` on {e.Value.Count} tasks that were approved anyway.",
            e.Value) { SamplePath = e.Value[0].Detail });
    }

    private static IEnumerable<Gap> ToolingGaps(IReadOnlyList<TaskHistory> histories, ProposalThresholds thresholds)
    {
        var evidence = new Dictionary<string, List<GapEvidence>>(StringComparer.Ordinal);
        foreach (var history in histories)
        {
            foreach (var error in history.Assignments.SelectMany(a => a.Result?.ToolErrors ?? []).Distinct(StringComparer.Ordinal))
            {
                Add(evidence, error, new GapEvidence(history.Task.Id, history.Task.IssueNumber, error));
            }
        }

        return evidence.Where(e => e.Value.Count >= thresholds.Tooling).OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => new Gap(
            ProposalCategory.Tooling,
            e.Key,
            e.Key.StartsWith("unknown:", StringComparison.Ordinal) ? $"Tooling: workers keep asking for a tool `{e.Key["unknown:".Length..]}`" : $"Tooling: `{e.Key}` keeps failing",
            e.Key.StartsWith("unknown:", StringComparison.Ordinal)
                ? $"The model asked for a tool named `{e.Key["unknown:".Length..]}`, which does not exist, on {e.Value.Count} tasks."
                : $"The worker tool call `{e.Key}` failed on {e.Value.Count} tasks.",
            e.Value));
    }

    private static IEnumerable<Gap> SettingsGaps(IReadOnlyList<TaskHistory> histories, ProposalThresholds thresholds)
    {
        var evidence = histories.Where(h => h.TestTimeouts > 0)
            .Select(h => new GapEvidence(h.Task.Id, h.Task.IssueNumber, $"tests timed out {h.TestTimeouts.ToString(CultureInfo.InvariantCulture)} time(s)"))
            .OrderBy(e => e.TaskId)
            .ToList();
        if (evidence.Count >= thresholds.Settings)
        {
            yield return new Gap(ProposalCategory.Settings, "test_timeout_seconds", "Settings: raise `test_timeout_seconds`",
                $"The test command hit `test_timeout_seconds` on {evidence.Count} tasks.", evidence);
        }
    }

    private static IEnumerable<Gap> SkillGaps(IReadOnlyList<TaskHistory> histories, ProposalThresholds thresholds)
    {
        var evidence = new Dictionary<string, List<GapEvidence>>(StringComparer.Ordinal);
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var history in histories)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var feedback in history.Assignments.Select(a => a.Feedback).OfType<string>())
            {
                foreach (var finding in Findings(feedback))
                {
                    var key = Normalise(finding);
                    if (key.Length < 12 || !seen.Add(key))
                    {
                        continue;
                    }

                    texts.TryAdd(key, finding);
                    Add(evidence, key, new GapEvidence(history.Task.Id, history.Task.IssueNumber, finding));
                }
            }
        }

        return evidence.Where(e => e.Value.Count >= thresholds.Skill).OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => new Gap(
            ProposalCategory.Skill,
            e.Key,
            $"Skill: {Cut(texts[e.Key], 60)}",
            $"The same finding was made on {e.Value.Count} tasks: \"{texts[e.Key]}\".",
            e.Value));
    }

    /// <summary>
    /// The plans asked for knowledge the repository's skills lack: the same skill name (normalised as a skill file name)
    /// among the <c>missing_skills</c> of enough tasks' plans, and no skill of that name on the default branch.
    /// </summary>
    private static IEnumerable<Gap> MissingSkillGaps(IReadOnlyList<TaskHistory> histories, ProposalThresholds thresholds, IReadOnlyCollection<string> existingSkills)
    {
        var existing = existingSkills.Select(SkillNames.NormaliseName).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var evidence = new Dictionary<string, List<GapEvidence>>(StringComparer.Ordinal);
        foreach (var history in histories)
        {
            foreach (var name in history.MissingSkills.Select(SkillNames.NormaliseName).OfType<string>().Distinct(StringComparer.Ordinal))
            {
                if (!existing.Contains(name))
                {
                    Add(evidence, name, new GapEvidence(history.Task.Id, history.Task.IssueNumber, $"the plan asked for the skill {name}"));
                }
            }
        }

        return evidence.Where(e => e.Value.Count >= thresholds.MissingSkill).OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => new Gap(
            ProposalCategory.Skill,
            MissingSkillPrefix + e.Key,
            $"Skill: `{e.Key}`",
            $"The supervisor's plans for {e.Value.Count} tasks asked for a skill `{e.Key}`, and `.atom/skills` on the default branch has none of that name.",
            e.Value) { SkillName = e.Key });
    }

    /// <summary>
    /// The findings in a round's feedback: the auditor's <c>- error: …</c> / <c>- warning: …</c> lines, or else a
    /// reviewer's words (the first line); test output is not a finding.
    /// </summary>
    private static List<string> Findings(string feedback)
    {
        var lines = feedback.ReplaceLineEndings("\n").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var auditor = lines
            .Where(l => l.StartsWith("- error:", StringComparison.OrdinalIgnoreCase) || l.StartsWith("- warning:", StringComparison.OrdinalIgnoreCase))
            .Select(l => StripPath(l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()))
            .ToList();
        if (auditor.Count > 0)
        {
            return auditor;
        }

        return lines.Count == 0 || lines[0].StartsWith("The test command", StringComparison.Ordinal) ? [] : [Cut(lines[0], 200)];
    }

    /// <summary>The auditor appends " (path)"; the same finding on another file is the same finding.</summary>
    private static string StripPath(string finding) =>
        finding.EndsWith(')') && finding.LastIndexOf(" (", StringComparison.Ordinal) is > 0 and var open ? finding[..open] : finding;

    /// <summary>Lower case letters and digits, single spaces: "Missing null check!" and "missing null-check" are the same.</summary>
    private static string Normalise(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && builder[^1] != ' ')
            {
                builder.Append(' ');
            }
        }

        return builder.ToString().Trim();
    }

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..max] + "…";

    private static void Add(Dictionary<string, List<GapEvidence>> map, string key, GapEvidence evidence)
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        list.Add(evidence);
    }
}
