using Atom.Bot.Approval;
using Atom.Bot.Tasks;
using Octokit.Webhooks.Extensions;
using Octokit.Webhooks.Models.PullRequestReviewEvent;

namespace Atom.Bot.Tests.Approval;

/// <summary>The delivery row keeps the texts it always had: operators and the docs read them.</summary>
public sealed class DeliveryOutcomeTests
{
    [Fact]
    public void An_ignored_delivery_is_stored_with_the_ignored_prefix()
    {
        var outcome = DeliveryOutcome.Ignored("PushEvent");

        outcome.Kind.ShouldBe(DeliveryOutcomeKind.Ignored);
        outcome.Reason.ShouldBe("PushEvent");
        outcome.Text.ShouldBe("ignored: PushEvent");
    }

    [Fact]
    public void A_refused_command_names_the_command_and_the_reason()
    {
        var outcome = DeliveryOutcome.Refused(new SlashCommand(SlashCommandKind.Approve, ""), "the task is already merged");

        outcome.Kind.ShouldBe(DeliveryOutcomeKind.Refused);
        outcome.Text.ShouldBe("refused /approve: the task is already merged");
    }

    [Fact]
    public void Merge_refusals_keep_their_own_wording()
    {
        DeliveryOutcome.MergeRefused("2 approver(s) no longer count").Text.ShouldBe("merge refused: 2 approver(s) no longer count");
        DeliveryOutcome.MergeRefusedByGitHub(405).Text.ShouldBe("merge refused by GitHub (405)");
        DeliveryOutcome.MergeRefusedByGitHub(405).Kind.ShouldBe(DeliveryOutcomeKind.Refused);
    }

    [Theory]
    [InlineData("commented", "ignored: review commented")]
    [InlineData("changes_requested", "ignored: review changesrequested")]
    [InlineData("dismissed", "ignored: review dismissed")]
    [InlineData("some_new_state", "ignored: review somenewstate")]
    public void An_ignored_review_is_named_as_before_states_were_typed(string state, string text) =>
        DeliveryOutcome.IgnoredReview(new StringEnum<ReviewState>(state)).Text.ShouldBe(text);

    [Fact]
    public void A_comment_s_commands_are_joined_and_keep_their_kind_when_they_agree()
    {
        var approve = new SlashCommand(SlashCommandKind.Approve, "");
        var both = DeliveryOutcome.Join([DeliveryOutcome.Refused(approve, "a"), DeliveryOutcome.Refused(approve, "b")]);
        var mixed = DeliveryOutcome.Join([DeliveryOutcome.Handled("answered /status"), DeliveryOutcome.Refused(approve, "a")]);

        both.Text.ShouldBe("refused /approve: a; refused /approve: b");
        both.Kind.ShouldBe(DeliveryOutcomeKind.Refused);
        mixed.Text.ShouldBe("answered /status; refused /approve: a");
        mixed.Kind.ShouldBe(DeliveryOutcomeKind.Handled);
    }

    [Theory]
    [InlineData(IntakeOutcomeKind.Ignored, "no active task", "ignored: no active task", DeliveryOutcomeKind.Ignored)]
    [InlineData(IntakeOutcomeKind.Refused, "invalid settings", "refused: invalid settings", DeliveryOutcomeKind.Refused)]
    [InlineData(IntakeOutcomeKind.Accepted, "task 3", "accepted: task 3", DeliveryOutcomeKind.Handled)]
    [InlineData(IntakeOutcomeKind.Cancelled, "task 3", "cancelled: task 3", DeliveryOutcomeKind.Handled)]
    public void Intake_outcomes_keep_their_stored_words_and_get_their_kind(IntakeOutcomeKind intake, string reason, string text, DeliveryOutcomeKind kind)
    {
        var outcome = DeliveryOutcome.Of(new IntakeOutcome(intake, reason));

        outcome.Text.ShouldBe(text);
        outcome.Kind.ShouldBe(kind);
        outcome.Reason.ShouldBe(reason);
    }
}
