using Atom.Bot.Approval;
using Atom.Bot.Jobs;
using Atom.Bot.Proposals;
using Atom.Bot.Tasks;
using Microsoft.Extensions.Primitives;
using Octokit.Webhooks;
using Octokit.Webhooks.Events;
using Octokit.Webhooks.Events.Installation;
using Octokit.Webhooks.Events.IssueComment;
using Octokit.Webhooks.Events.Issues;
using Octokit.Webhooks.Events.PullRequest;
using Octokit.Webhooks.Events.PullRequestReview;

namespace Atom.Bot.Ingress;

/// <summary>
/// The job behind each delivery: turns the stored payload into a typed event and hands it to the area that owns it.
/// A delivery is processed once: replays never reach here, and a re-run after success is a no-op.
/// </summary>
public sealed class DeliveryProcessor(
    DeliveryStore deliveries,
    WebhookEventProcessor parser,
    TaskIntake intake,
    ApprovalHandler approval,
    ProposalHandler proposals,
    InstallationStore installations,
    ILogger<DeliveryProcessor> logger) : IWorkItemProcessor<ProcessDelivery>
{
    public async Task ProcessAsync(ProcessDelivery work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var delivery = await deliveries.GetAsync(work.DeliveryId, cancellationToken);
        if (delivery is null)
        {
            Log.Missing(logger, work.DeliveryId);
            return;
        }

        if (delivery.ProcessedAt is not null)
        {
            return;
        }

        var headers = WebhookHeaders.Parse(new Dictionary<string, StringValues>
        {
            ["X-GitHub-Event"] = delivery.Event,
            ["X-GitHub-Delivery"] = delivery.DeliveryId,
        });
        var webhookEvent = parser.DeserializeWebhookEvent(headers, delivery.Payload);
        var outcome = await DispatchAsync(webhookEvent, cancellationToken);
        await deliveries.MarkProcessedAsync(delivery.DeliveryId, outcome, cancellationToken);
        Log.Processed(logger, delivery.DeliveryId, outcome);
    }

    private Task<string> DispatchAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken) => webhookEvent switch
    {
        PingEvent => Task.FromResult("pong"),
        IssuesLabeledEvent e => intake.LabeledAsync(e, cancellationToken),
        IssuesUnlabeledEvent e => intake.UnlabeledAsync(e, cancellationToken),
        IssuesClosedEvent e => intake.ClosedAsync(e, cancellationToken),
        IssuesEditedEvent e => IssueEditedAsync(e, cancellationToken),
        InstallationEvent e => installations.RecordAsync(e, cancellationToken),
        PullRequestReviewSubmittedEvent e => ReviewSubmittedAsync(e, cancellationToken),
        PullRequestReviewDismissedEvent e => approval.ReviewDismissedAsync(e, cancellationToken),
        IssueCommentCreatedEvent e => CommentCreatedAsync(e, cancellationToken),
        PullRequestClosedEvent e => PullRequestClosedAsync(e, cancellationToken),
        PullRequestSynchronizeEvent e => SynchronizeAsync(e, cancellationToken),
        _ => Task.FromResult($"ignored: {webhookEvent.GetType().Name}"),
    };

    /// <summary>An edit of a proposal's issue is recorded (who changed the text an approver may approve); other edits are nobody's.</summary>
    private async Task<string> IssueEditedAsync(IssuesEditedEvent e, CancellationToken cancellationToken) =>
        await proposals.IssueEditedAsync(e, cancellationToken) ?? "ignored: not a proposal's issue";

    /// <summary>A review of a proposal's pull request is the proposal's (it never merges); every other review is the approval area's.</summary>
    private async Task<string> ReviewSubmittedAsync(PullRequestReviewSubmittedEvent e, CancellationToken cancellationToken) =>
        await proposals.ReviewSubmittedAsync(e, cancellationToken) ?? await approval.ReviewSubmittedAsync(e, cancellationToken);

    /// <summary>A push to a proposal's pull request is the proposal's (the new head is not certified); every other push is the approval area's.</summary>
    private async Task<string> SynchronizeAsync(PullRequestSynchronizeEvent e, CancellationToken cancellationToken) =>
        await proposals.SynchronizeAsync(e, cancellationToken) ?? await approval.SynchronizeAsync(e, cancellationToken);

    /// <summary>A comment on a proposal's issue or pull request is the proposal's; every other comment is the approval area's.</summary>
    private async Task<string> CommentCreatedAsync(IssueCommentCreatedEvent e, CancellationToken cancellationToken) =>
        await proposals.CommentCreatedAsync(e, cancellationToken) ?? await approval.CommentCreatedAsync(e, cancellationToken);

    private async Task<string> PullRequestClosedAsync(PullRequestClosedEvent e, CancellationToken cancellationToken) =>
        await proposals.PullRequestClosedAsync(e, cancellationToken) ?? await approval.PullRequestClosedAsync(e, cancellationToken);
}
