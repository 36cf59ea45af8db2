using System.Globalization;
using System.Text;
using Atom.Bot.Tasks;

namespace Atom.Bot.Approval;

/// <summary>What Atom answers to approval signals and commands.</summary>
public static class ApprovalMessages
{
    public static string Refused(string login, SlashCommand command, string reason) =>
        $"@{login} `{command.Name}` was not accepted: {reason}. Nothing changed.";

    public static string Recorded(string login, string sha, int have, int need) =>
        $"Approval by @{login} recorded for `{Abbreviate(sha)}` ({have} of {need} required).";

    public static string MergeRefused(string sha, string reason) =>
        $"GitHub refused to merge `{Abbreviate(sha)}`: {reason}. Nothing was retried; approve again once the package is certified again, or merge by hand.";

    public static string Approved(string sha) =>
        $"✅ `{Abbreviate(sha)}` is approved. `merge_on_approval` is off: a maintainer can merge it now.";

    public static string Stale(string sha, int count) =>
        $"New commits arrived: the head is now `{Abbreviate(sha)}`. {count} earlier approval(s) are stale; Atom re-certifies the new head before it can be approved.";

    public static string SettingsUnavailable(string login, SlashCommand command, string error)
    {
        ArgumentNullException.ThrowIfNull(command);
        return $"@{login} `{command.Name}` was not accepted: Atom could not use the default branch's `.github/atom.yml`, "
            + "and it never falls back to defaults for approvals and commands (who may approve, how many are needed). Nothing changed. "
            + "Fix the file (or try again if GitHub could not be read); the error:\n\n"
            + Certification.Markdown.Fenced(error, "text");
    }

    public static string WrittenBeforeCertified(string sha, DateTimeOffset written, DateTimeOffset certifiedAt) =>
        $"it was written at {Time(written)}, before the head `{Abbreviate(sha)}` was certified at {Time(certifiedAt)}, so it approved an earlier head (stale); approve again now that `{Abbreviate(sha)}` is certified";

    public static string Withdrawn(string login, string sha, string by) =>
        $"The review by @{login} was dismissed by @{by}: their approval of `{Abbreviate(sha)}` is withdrawn and no longer counts.";

    public static string NoLongerCounted(IReadOnlyList<(Atom.Bot.GitHub.GitHubPerson Person, string Why)> lost, int have, int need)
    {
        ArgumentNullException.ThrowIfNull(lost);
        var text = new StringBuilder("Atom did not merge: right before merging, ")
            .Append(lost.Count == 1 ? "one approval" : $"{lost.Count} approvals").Append(" no longer counted:\n\n");
        foreach (var (person, why) in lost)
        {
            text.Append(CultureInfo.InvariantCulture, $"- @{person.Login}: {why}\n");
        }

        return text.Append(CultureInfo.InvariantCulture, $"\n{have} of {need} required approvals remain. Nothing was merged.").ToString();
    }

    /// <summary>What blocks the merge, said once on the pull request; the same words are the task's state reason on <c>/status</c>.</summary>
    public static string MergeBlocked(string sha, string block, bool failing) =>
        $"⏸️ `{Abbreviate(sha)}` is approved, but Atom did not merge it: {block}. "
        + (failing
            ? "Atom does not retry a failing check: fix it (a new push is certified again) or re-run the check; once it passes on this head, Atom merges if the approvals still hold."
            : "Atom waits and merges as soon as the block clears, if the approvals still hold.")
        + " `/reject` or `/cancel` ends the wait.";

    public static string Enqueued(string sha, string rule) =>
        $"🚂 `{Abbreviate(sha)}` is approved and in the merge queue ({rule} requires one). GitHub merges it from the queue only at this head (`expectedHeadOid`).";

    public static string EnqueueRefused(string sha, string error) =>
        $"GitHub refused to put `{Abbreviate(sha)}` in the merge queue: {error}. Nothing was merged or retried; approve again once the problem is fixed, or merge by hand.";

    public static string Dequeued(string sha, string reason) =>
        $"The pull request left the merge queue without being merged (GitHub says: {reason}). `{Abbreviate(sha)}` was not merged; the task awaits approval again: approve again to queue it again.";

    public static string NotMerged(string sha, string reason) =>
        $"Atom did not merge `{Abbreviate(sha)}`: {reason}. Nothing was merged; a maintainer has to look at this pull request.";

    public static string Status(AtomTask task, IReadOnlyList<Assignment> assignments, IReadOnlyList<ApprovalRecord> approvals)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(assignments);
        ArgumentNullException.ThrowIfNull(approvals);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"**Task {task.Id}**: `{TaskStates.ToName(task.State)}`{(task.StateReason is null ? "" : $" ({task.StateReason})")}, round {task.Round + 1}.");
        if (task.PullRequest is { } pr)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Package: #{pr}, certified head `{Abbreviate(task.HeadSha ?? "")}`.");
        }

        if (assignments.Count > 0)
        {
            text.AppendLine().AppendLine("| round | assignment | state | result |").AppendLine("|---|---|---|---|");
            foreach (var a in assignments)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {a.Round + 1} | {a.Ordinal}. {Cell(a.Title)} | {a.State.ToString().ToLowerInvariant()} | {Cell(a.Result?.Outcome.ToString() ?? "")} |");
            }
        }

        text.AppendLine();
        if (approvals.Count == 0)
        {
            text.AppendLine("No approvals yet.");
        }
        else
        {
            foreach (var approval in approvals)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {approval.Login} approved `{Abbreviate(approval.Sha)}` by {approval.Source.ToString().ToLowerInvariant()}{(approval.Withdrawn ? " (withdrawn)" : approval.Stale || approval.Sha != task.HeadSha ? " (stale)" : approval.UserId is null ? " (from before ids: not counted)" : " (valid)")}");
            }
        }

        var tokens = assignments.Select(a => a.Result).OfType<AssignmentResult>().ToList();
        text.AppendLine(CultureInfo.InvariantCulture, $"LLM use by workers: {tokens.Sum(r => r.TokensIn)} tokens in, {tokens.Sum(r => r.TokensOut)} out.");
        return text.ToString();
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string AccessRefused(string login, SlashCommand command, string reason)
    {
        ArgumentNullException.ThrowIfNull(command);
        return $"@{login}, Atom cannot act on `{command.Name}`: GitHub would not give it the access this needs. {reason} Grant it to the App's installation, then comment `{command.Name}` again. Nothing was changed.";
    }

    public static string Abbreviate(string sha) => sha.Length > 7 ? sha[..7] : sha;

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
