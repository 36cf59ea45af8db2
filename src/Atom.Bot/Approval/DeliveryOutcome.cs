using Atom.Bot.Tasks;
using Octokit.Webhooks.Extensions;
using Octokit.Webhooks.Models.PullRequestReviewEvent;

namespace Atom.Bot.Approval;

/// <summary>
/// What a delivery came to, as its handler decided it. <see cref="Text"/> is what the delivery row stores and the log
/// shows: it is kept word for word as before the outcome was typed, because operators and the docs read those texts.
/// It lives in Approval, not Ingress, because the approval and proposal handlers produce it and must not depend on Ingress.
/// </summary>
public sealed record DeliveryOutcome
{
    private DeliveryOutcome(DeliveryOutcomeKind kind, string reason, string text)
    {
        Kind = kind;
        Reason = reason;
        Text = text;
    }

    public DeliveryOutcomeKind Kind { get; }

    /// <summary>Why, without the kind's prefix.</summary>
    public string Reason { get; }

    public string Text { get; }

    public static DeliveryOutcome Handled(string what) => new(DeliveryOutcomeKind.Handled, what, what);

    public static DeliveryOutcome Ignored(string why) => new(DeliveryOutcomeKind.Ignored, why, $"ignored: {why}");

    /// <summary>A review that is not a signal, named as its state always was (<c>changes_requested</c> as <c>changesrequested</c>).</summary>
    public static DeliveryOutcome IgnoredReview(StringEnum<ReviewState>? state, string where = "")
    {
        var name = state is null ? ""
            : state.TryParse(out var known) ? known.Value.ToString().ToLowerInvariant()
            : state.StringValue.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
        return Ignored($"review {name}{where}");
    }

    /// <summary>A command (or an approving review, as <c>/approve</c>) that was answered with a refusal.</summary>
    public static DeliveryOutcome Refused(SlashCommand command, string reason)
    {
        ArgumentNullException.ThrowIfNull(command);
        return new(DeliveryOutcomeKind.Refused, reason, $"refused {command.Name}: {reason}");
    }

    /// <summary>Approved, but Atom did not merge: <paramref name="reason"/> says why.</summary>
    public static DeliveryOutcome MergeRefused(string reason) => new(DeliveryOutcomeKind.Refused, reason, $"merge refused: {reason}");

    public static DeliveryOutcome MergeRefusedByGitHub(int status) =>
        new(DeliveryOutcomeKind.Refused, $"GitHub answered {status}", $"merge refused by GitHub ({status})");

    /// <summary>Task intake's outcome, stored as intake words it (<c>accepted: task 4</c>, <c>refused: invalid settings</c>).</summary>
    public static DeliveryOutcome Of(IntakeOutcome intake)
    {
        ArgumentNullException.ThrowIfNull(intake);
        var kind = intake.Kind switch
        {
            IntakeOutcomeKind.Ignored => DeliveryOutcomeKind.Ignored,
            IntakeOutcomeKind.Refused => DeliveryOutcomeKind.Refused,
            _ => DeliveryOutcomeKind.Handled,
        };
        return new(kind, intake.Reason, intake.Text);
    }

    /// <summary>The commands of one comment, each with its own outcome; the comment's kind is theirs when they agree.</summary>
    public static DeliveryOutcome Join(IReadOnlyList<DeliveryOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        if (outcomes.Count == 1)
        {
            return outcomes[0];
        }

        var text = string.Join("; ", outcomes.Select(o => o.Text));
        var kind = outcomes.Select(o => o.Kind).Distinct().Count() == 1 ? outcomes[0].Kind : DeliveryOutcomeKind.Handled;
        return new(kind, text, text);
    }

    public override string ToString() => Text;
}
