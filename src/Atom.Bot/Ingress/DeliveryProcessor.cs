using Atom.Bot.Approval;
using Atom.Bot.Jobs;
using Atom.Bot.Proposals;
using Atom.Bot.Tasks;
using Atom.Bot.Telemetry;
using Microsoft.Extensions.Primitives;
using Octokit.Webhooks;
using Octokit.Webhooks.Events;
using Octokit.Webhooks.Events.CheckRun;
using Octokit.Webhooks.Events.CheckSuite;
using Octokit.Webhooks.Events.Installation;
using Octokit.Webhooks.Events.IssueComment;
using Octokit.Webhooks.Events.Issues;
using Octokit.Webhooks.Events.PullRequest;
using Octokit.Webhooks.Events.PullRequestReview;
using Octokit.Webhooks.Events.PullRequestReviewComment;

namespace Atom.Bot.Ingress;

/// <summary>
/// The job behind each delivery: turns the stored payload into a typed event, resolves once whose it is (a task's, a
/// proposal's or nobody's: <see cref="EventOwners"/>) and hands it to that owner's handler only.
/// A delivery is processed once: replays never reach here, and a re-run after success is a no-op.
/// </summary>
public sealed class DeliveryProcessor(
    DeliveryStore deliveries,
    WebhookEventProcessor parser,
    TaskIntake intake,
    ApprovalHandler approval,
    ReviewComments reviewComments,
    ProposalHandler proposals,
    EventOwners owners,
    InstallationStore installations,
    AtomMetrics metrics,
    ILogger<DeliveryProcessor> logger) : IWorkItemProcessor<ProcessDelivery>
{
    private static readonly DeliveryOutcome NotAtoms = DeliveryOutcome.Ignored("not an Atom pull request");

    public async Task ProcessAsync(ProcessDelivery work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        using var activity = AtomTelemetry.Start("delivery");
        activity?.SetTag(AtomTelemetry.DeliveryId, work.DeliveryId);
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
        activity?.SetTag(AtomTelemetry.Event, delivery.Event);
        var outcome = await DispatchAsync(webhookEvent, cancellationToken);
        var kind = outcome.Kind.ToString().ToLowerInvariant();
        activity?.SetTag(AtomTelemetry.Outcome, kind);
        metrics.DeliveryCount.Add(1, new KeyValuePair<string, object?>("event", delivery.Event), new KeyValuePair<string, object?>("outcome", kind));
        await deliveries.MarkProcessedAsync(delivery.DeliveryId, outcome.Text, cancellationToken);
        Log.Processed(logger, delivery.DeliveryId, outcome.Text);
    }

    private async Task<DeliveryOutcome> DispatchAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken) => webhookEvent switch
    {
        PingEvent => DeliveryOutcome.Handled("pong"),
        IssuesLabeledEvent e => DeliveryOutcome.Of(await intake.LabeledAsync(e, cancellationToken)),
        IssuesUnlabeledEvent e => DeliveryOutcome.Of(await intake.UnlabeledAsync(e, cancellationToken)),
        IssuesClosedEvent e => DeliveryOutcome.Of(await intake.ClosedAsync(e, cancellationToken)),
        IssuesEditedEvent e => await IssueEditedAsync(e, cancellationToken),
        InstallationEvent e => await installations.RecordAsync(e, cancellationToken),
        PullRequestReviewSubmittedEvent e => await ReviewSubmittedAsync(e, cancellationToken),
        PullRequestReviewDismissedEvent e => await ReviewDismissedAsync(e, cancellationToken),
        PullRequestReviewCommentCreatedEvent e => await ReviewCommentCreatedAsync(e, cancellationToken),
        IssueCommentCreatedEvent e => await CommentCreatedAsync(e, cancellationToken),
        PullRequestClosedEvent e => await PullRequestClosedAsync(e, cancellationToken),
        PullRequestSynchronizeEvent e => await SynchronizeAsync(e, cancellationToken),
        PullRequestDequeuedEvent e => await DequeuedAsync(e, cancellationToken),
        CheckSuiteCompletedEvent e => await ChecksChangedAsync(e.Repository?.Id, e.CheckSuite.HeadSha, cancellationToken),
        CheckRunCompletedEvent e => await ChecksChangedAsync(e.Repository?.Id, e.CheckRun.HeadSha, cancellationToken),
        StatusEvent e => await ChecksChangedAsync(e.Repository?.Id, e.Sha, cancellationToken),
        _ => DeliveryOutcome.Ignored(webhookEvent.GetType().Name),
    };

    /// <summary>An edit of a proposal's issue is recorded (who changed the text an approver may approve); other edits are nobody's.</summary>
    private async Task<DeliveryOutcome> IssueEditedAsync(IssuesEditedEvent e, CancellationToken cancellationToken) =>
        await owners.OfIssueAsync(e.Repository?.Id, e.Issue.Number, cancellationToken) is Owner.OfProposal { Proposal: var proposal }
            ? await proposals.IssueEditedAsync(e, proposal, cancellationToken)
            : DeliveryOutcome.Ignored("not a proposal's issue");

    /// <summary>A review of a proposal's pull request is the proposal's (it never merges); a review of a task's is the approval area's.</summary>
    private async Task<DeliveryOutcome> ReviewSubmittedAsync(PullRequestReviewSubmittedEvent e, CancellationToken cancellationToken) =>
        await owners.OfPullRequestAsync(e.Repository?.Id, e.PullRequest.Number, cancellationToken) switch
        {
            Owner.OfProposal { Proposal: var proposal } => await proposals.ReviewSubmittedAsync(e, proposal, cancellationToken),
            Owner.OfTask { Task: var task } => await approval.ReviewSubmittedAsync(e, task, cancellationToken),
            _ => NotAtoms,
        };

    /// <summary>Only a task's approvals can be withdrawn: a proposal's pull request never counts approvals.</summary>
    private async Task<DeliveryOutcome> ReviewDismissedAsync(PullRequestReviewDismissedEvent e, CancellationToken cancellationToken) =>
        await owners.OfPullRequestAsync(e.Repository?.Id, e.PullRequest.Number, cancellationToken) is Owner.OfTask { Task: var task }
            ? await approval.ReviewDismissedAsync(e, task, cancellationToken)
            : NotAtoms;

    /// <summary>A line comment on a task's pull request is revision feedback; a proposal's pull request takes none (it is built from its approved spec).</summary>
    private async Task<DeliveryOutcome> ReviewCommentCreatedAsync(PullRequestReviewCommentCreatedEvent e, CancellationToken cancellationToken) =>
        await owners.OfPullRequestAsync(e.Repository?.Id, e.PullRequest.Number, cancellationToken) is Owner.OfTask { Task: var task }
            ? await reviewComments.CreatedAsync(e, task, cancellationToken)
            : NotAtoms;

    /// <summary>A push to a proposal's pull request is the proposal's (the new head is not certified); a push to a task's is the approval area's.</summary>
    private async Task<DeliveryOutcome> SynchronizeAsync(PullRequestSynchronizeEvent e, CancellationToken cancellationToken) =>
        await owners.OfPullRequestAsync(e.Repository?.Id, e.PullRequest.Number, cancellationToken) switch
        {
            Owner.OfProposal { Proposal: var proposal } => await proposals.SynchronizeAsync(e, proposal, cancellationToken),
            Owner.OfTask { Task: var task } => await approval.SynchronizeAsync(e, task, cancellationToken),
            _ => DeliveryOutcome.Ignored("nothing to re-certify"),
        };

    /// <summary>A comment on a proposal's issue or pull request is the proposal's; one on a task's is the approval area's.</summary>
    private async Task<DeliveryOutcome> CommentCreatedAsync(IssueCommentCreatedEvent e, CancellationToken cancellationToken)
    {
        var onPullRequest = e.Issue.PullRequest is not null;
        var owner = onPullRequest
            ? await owners.OfPullRequestAsync(e.Repository?.Id, e.Issue.Number, cancellationToken)
            : await owners.OfIssueAsync(e.Repository?.Id, e.Issue.Number, cancellationToken);
        return owner switch
        {
            Owner.OfProposal { Proposal: var proposal } => await proposals.CommentCreatedAsync(e, proposal, cancellationToken),
            Owner.OfTask { Task: var task } => await approval.CommentCreatedAsync(e, task, cancellationToken),
            _ => onPullRequest ? NotAtoms : DeliveryOutcome.Ignored("no task for this issue"),
        };
    }

    private async Task<DeliveryOutcome> DequeuedAsync(PullRequestDequeuedEvent e, CancellationToken cancellationToken) =>
        await owners.OfPullRequestAsync(e.Repository?.Id, e.PullRequest.Number, cancellationToken) is Owner.OfTask { Task: var task }
            ? await approval.DequeuedAsync(e, task, cancellationToken)
            : NotAtoms;

    /// <summary>A check or status on a commit matters only to a task whose merge waits on that certified head.</summary>
    private async Task<DeliveryOutcome> ChecksChangedAsync(long? repositoryId, string? sha, CancellationToken cancellationToken) =>
        await owners.OfBlockedCommitAsync(repositoryId, sha, cancellationToken) is Owner.OfTask { Task: var task }
            ? await approval.ChecksChangedAsync(task, sha!, cancellationToken)
            : DeliveryOutcome.Ignored("no merge waits on this commit");

    private async Task<DeliveryOutcome> PullRequestClosedAsync(PullRequestClosedEvent e, CancellationToken cancellationToken) =>
        await owners.OfPullRequestAsync(e.Repository?.Id, e.PullRequest.Number, cancellationToken) switch
        {
            Owner.OfProposal { Proposal: var proposal } => await proposals.PullRequestClosedAsync(e, proposal, cancellationToken),
            Owner.OfTask { Task: var task } => await approval.PullRequestClosedAsync(e, task, cancellationToken),
            _ => NotAtoms,
        };
}
