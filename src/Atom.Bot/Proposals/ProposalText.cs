using System.Globalization;
using System.Text;
using Atom.Bot.Certification;
using Atom.Bot.Tasks;

namespace Atom.Bot.Proposals;

/// <summary>What Atom writes on GitHub about proposals: the spec issue, the dashboard, <c>/status</c>, the pull request.</summary>
public static class ProposalText
{
    public const string Label = "atom:proposal";
    public const string DashboardLabel = "atom:proposals";
    public const string DashboardTitle = "Atom proposals";

    /// <summary>
    /// The line above the fenced block that holds the whole proposed <c>.github/atom.yml</c> of a scope or settings
    /// proposal. That block, not the diff, is what an approver may edit before <c>/approve</c>.
    /// </summary>
    public const string SettingsMarker = "<!-- atom:proposed-atom.yml -->";

    /// <summary>The issue that carries the spec: the gap, the evidence, the change, and how to decide.</summary>
    public static string Issue(Proposal proposal)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"<!-- atom:proposal id={proposal.Id} category={proposal.Category.ToName()} -->");
        text.AppendLine(CultureInfo.InvariantCulture, $"**Atom proposes a {proposal.Category.ToName()} change.** Nothing happens unless an approver answers `/approve`.");
        text.AppendLine().AppendLine("### Gap").AppendLine(proposal.Description);
        if (proposal.Explanation is { } explanation)
        {
            // Stored already inert (ProposalWriter); the model's name is Atom's configuration, not model text.
            text.AppendLine().AppendLine(explanation);
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture,
                $"<sub>Worded by the model {Markdown.Code(proposal.TextModel)}{(proposal.Change.Skill is null ? "" : ", the skill's purpose, inputs, outputs and constraints included")}. The evidence, the category and the exact change are Atom's own.</sub>");
        }
        text.AppendLine().AppendLine("### Evidence").AppendLine("| task | issue | what happened |").AppendLine("|---|---|---|");
        foreach (var e in proposal.Evidence)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {e.TaskId} | #{e.Issue} | `{Cell(e.Detail)}` |");
        }

        text.AppendLine().AppendLine("### Proposed change");
        text.AppendLine(Change(proposal.Change, proposal.Category));
        text.AppendLine().AppendLine("### Decide").AppendLine(Decide(proposal.Category));
        return text.ToString();
    }

    public static string Change(ProposedChange change, ProposalCategory category)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.Diff is { } diff)
        {
            return $"The exact change to `.github/atom.yml`, applied mechanically on a branch (no model involved):\n\n```diff\n{diff}```\n\n"
                + "The whole `.github/atom.yml` it results in. To build something else, edit this block (not the diff above) before `/approve`: "
                + "what the block says when an approver comments `/approve` is what is built, if it is valid settings.\n\n"
                + SettingsBlock(change.SettingsAfter!);
        }

        if (change.Skill is { } skill)
        {
            return $"""
                A new skill `.atom/skills/{skill.Name}.md`, written by a worker whose scope is exactly that one file:

                - **Name:** `{skill.Name}`
                - **Purpose:** {skill.Purpose}
                - **Inputs:** {skill.Inputs}
                - **Outputs:** {skill.Outputs}
                - **Constraints:** {skill.Constraints}
                """;
        }

        return category == ProposalCategory.Tooling
            ? $"A report for Atom's maintainers; nothing in this repository changes.\n\n{change.Report}"
            : "(no change)";
    }

    /// <summary>
    /// The skill spec as the issue body says it now (an approver may have edited it before <c>/approve</c>: the approved
    /// text is what is built); null when the body no longer has every field, or the name is not a plain skill name.
    /// </summary>
    public static SkillSpec? ParseSkill(string? body)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in (body ?? "").ReplaceLineEndings("\n").Split('\n'))
        {
            foreach (var field in (string[])["Name", "Purpose", "Inputs", "Outputs", "Constraints"])
            {
                var prefix = $"- **{field}:** ";
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    fields.TryAdd(field, line[prefix.Length..].Trim());
                }
            }
        }

        if (fields.Count != 5 || fields.Values.Any(v => v.Length == 0))
        {
            return null;
        }

        var name = fields["Name"].Trim('`');
        return SkillNames.IsValidName(name) ? new SkillSpec(name, fields["Purpose"], fields["Inputs"], fields["Outputs"], fields["Constraints"]) : null;
    }

    /// <summary>The editable block: <see cref="SettingsMarker"/>, then the text in a fence longer than any backtick run in it.</summary>
    public static string SettingsBlock(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var fence = new string('`', Math.Max(4, Markdown.LongestRun(text, '`') + 1));
        var body = text.ReplaceLineEndings("\n");
        return $"{SettingsMarker}\n{fence}yaml\n{body}{(body.Length == 0 || body.EndsWith('\n') ? "" : "\n")}{fence}";
    }

    /// <summary>
    /// The proposed <c>.github/atom.yml</c> as the issue body says it now: the lines between the fence that follows
    /// <see cref="SettingsMarker"/> and the same fence closing it, each ended by a newline (GitHub's editor may send
    /// CRLF; the text is read with LF). Exactly one marker: none or several are a problem, not a guess.
    /// </summary>
    public static EditableSettings ReadSettings(string? body)
    {
        var lines = (body ?? "").ReplaceLineEndings("\n").Split('\n');
        var markers = Enumerable.Range(0, lines.Length).Where(i => lines[i].Trim() == SettingsMarker).ToList();
        if (markers.Count != 1)
        {
            return new EditableSettings(null, markers.Count == 0
                ? $"the issue body no longer has the proposed `.github/atom.yml` block (the line `{SettingsMarker}` and the fenced block below it)"
                : $"the issue body has {markers.Count} proposed `.github/atom.yml` blocks; keep exactly one");
        }

        var open = markers[0] + 1;
        var fence = open < lines.Length ? new string(lines[open].TakeWhile(c => c == '`').ToArray()) : "";
        if (fence.Length < 3 || lines[open][fence.Length..].Trim() is not ("" or "yaml" or "yml"))
        {
            return new EditableSettings(null, $"the line after `{SettingsMarker}` is not the opening fence of the proposed `.github/atom.yml` block");
        }

        var close = Array.FindIndex(lines, open + 1, l => l.TrimEnd() == fence);
        if (close < 0)
        {
            return new EditableSettings(null, "the proposed `.github/atom.yml` block is not closed by the fence that opened it");
        }

        return new EditableSettings(string.Concat(lines[(open + 1)..close].Select(l => l + "\n")), null);
    }

    /// <summary>Whether two texts of <c>.github/atom.yml</c> are the same file but for line endings and a final newline.</summary>
    public static bool SameSettings(string? a, string? b) =>
        (a ?? "").ReplaceLineEndings("\n").TrimEnd('\n') == (b ?? "").ReplaceLineEndings("\n").TrimEnd('\n');

    private static string Decide(ProposalCategory category) => category == ProposalCategory.Tooling
        ? "`/approve` acknowledges the report (nothing is built), `/reject [reason]` closes it. `/status` shows where it stands."
        : "`/approve` (an approver) lets Atom build it as a pull request labelled `atom:proposal`; it takes effect only when a human merges that pull request. `/reject [reason]` closes it, and the same evidence is not proposed again. `/status` shows where it stands.";

    /// <summary>The dashboard issue's body: every proposal that is not closed, with its state.</summary>
    public static string Dashboard(IReadOnlyList<Proposal> proposals)
    {
        ArgumentNullException.ThrowIfNull(proposals);
        var text = new StringBuilder();
        text.AppendLine("Proposals Atom drafted from the evidence of finished tasks. Each needs an approver's `/approve` on its issue; what it builds takes effect only when a human merges the pull request.");
        text.AppendLine();
        var shown = proposals.Where(p => p.State.IsActive()).ToList();
        if (shown.Count == 0)
        {
            text.AppendLine("No open proposals.");
            return text.ToString();
        }

        text.AppendLine("| proposal | category | state | evidence | pull request |").AppendLine("|---|---|---|---|---|");
        foreach (var p in shown)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {(p.IssueNumber is { } n ? $"#{n}" : "(filing)")} {Cell(p.Title)} | {p.Category.ToName()} | {p.State.ToName()}{(p.AutoApproved ? " (auto-approved)" : "")} | {p.Evidence.Count} task(s) | {(p.PullRequest is { } pr ? $"#{pr}" : "–")} |");
        }

        return text.ToString();
    }

    public static string Status(Proposal proposal)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"**Proposal {proposal.Id}** ({proposal.Category.ToName()}): {proposal.State.ToName()}{(proposal.StateReason is { } r ? $" ({r})" : "")}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- evidence: {proposal.Evidence.Count} task(s): {string.Join(", ", proposal.Evidence.Select(e => $"#{e.Issue}").Distinct())}");
        if (proposal.ApprovedBy is { } by)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- spec approved by: {by}{(proposal.AutoApproved ? " (`proposals.auto_approve`)" : "")}");
        }

        if (proposal.PullRequest is { } pr)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- pull request: #{pr} on `{proposal.Branch}`; it takes effect when a human merges it");
        }

        return text.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("`", "'", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
