using System.Text.Json;
using Atom.Bot.Approval;
using Atom.Bot.Audit;
using Atom.Bot.Certification;
using Atom.Bot.Configuration;
using Atom.Bot.GitHub;
using Atom.Bot.Jobs;
using Octokit;
using Octokit.Webhooks.Events.IssueComment;
using Octokit.Webhooks.Events.Issues;
using Octokit.Webhooks.Events.PullRequest;
using Octokit.Webhooks.Events.PullRequestReview;
using Octokit.Webhooks.Models.PullRequestReviewEvent;

namespace Atom.Bot.Proposals;

/// <summary>
/// Slash commands on a proposal's issue (<c>/approve</c>, <c>/reject [reason]</c>, <c>/status</c>, <c>/help</c>) and
/// the end of a proposal's pull request. Only an approver (as for packages: <see cref="ApprovalGate"/>) moves a
/// spec; nothing is built before that approval, and what merges is always a human's decision: on a proposal's pull
/// request an approving review or <c>/approve</c> is answered, audited and never merges (the approval area never sees it).
/// </summary>
public sealed class ProposalHandler(
    ProposalStore store,
    ProposalDashboard dashboard,
    ApprovalGate gate,
    GitHubClientFactory github,
    GitHubConversation conversation,
    AuditLog audit,
    WorkScheduler scheduler,
    CertificationPublisher publisher,
    ILogger<ProposalHandler> logger)
{
    /// <summary>The actor recorded when <c>proposals.auto_approve</c> approved a spec.</summary>
    public const string AutoApprover = "atom (proposals.auto_approve)";

    public const string HelpTable = """
        | command | who | effect on a proposal |
        |---|---|---|
        | `/approve` | approver | approve the spec as the issue shows it now (edit the skill fields or the `.github/atom.yml` block first to change it); Atom builds it as a pull request that a human merges |
        | `/reject [reason]` | approver | close the proposal (and its pull request); the same evidence is not proposed again |
        | `/status` | anyone | the proposal's state, evidence, approval and pull request |
        | `/help` | anyone | this table |
        """;

    /// <summary>Why an approval on a proposal's pull request merges nothing.</summary>
    public const string NeverMerges =
        "Atom never merges a proposal's pull request: the spec was approved on its issue, and deployment is a human merge of this pull request (merge it yourself to deploy it)";

    /// <summary>A comment on the proposal's issue or on its pull request.</summary>
    public async Task<DeliveryOutcome> CommentCreatedAsync(IssueCommentCreatedEvent e, Proposal proposal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(proposal);
        var onPullRequest = e.Issue.PullRequest is not null;
        var commands = SlashCommand.Parse(e.Comment.Body);
        if (commands.Count == 0)
        {
            return DeliveryOutcome.Ignored("no command");
        }

        if (await gate.IsBotAsync(e.Comment.User, e.Installation?.Id, cancellationToken))
        {
            return DeliveryOutcome.Ignored("a bot's comment");
        }

        var client = await github.CreateAsync(proposal.InstallationId, proposal.RepositoryId, GitHubAccess.Conversation, cancellationToken);
        // Who may approve comes from the settings: with none that can be trusted, /approve and /reject are refused, never
        // decided on defaults.
        var read = await gate.ReadSettingsAsync(client, proposal.Owner, proposal.Name, proposal.DefaultBranch, cancellationToken);
        var settings = read.Settings;
        var actor = e.Comment.User.Login;
        var person = new GitHubPerson(e.Comment.User.Id, actor);
        var where = (int)e.Issue.Number;
        var outcomes = new List<DeliveryOutcome>();
        foreach (var command in commands)
        {
            var current = (await store.GetAsync(proposal.Id, cancellationToken))!;
            var outcome = command.Kind switch
            {
                SlashCommandKind.Status => await ReplyAsync(client, current, where, ProposalText.Status(current), "answered /status", cancellationToken),
                SlashCommandKind.Help => await ReplyAsync(client, current, where, HelpTable, "answered /help", cancellationToken),
                SlashCommandKind.Approve when onPullRequest => await RefuseAsync(client, current, where, command, actor, NeverMerges, cancellationToken),
                SlashCommandKind.Approve or SlashCommandKind.Reject when settings is null =>
                    await RefuseAsync(client, current, where, command, actor, ApprovalGate.SettingsUnusable, cancellationToken,
                        ApprovalGate.SettingsUnavailable(actor, command, read)),
                SlashCommandKind.Approve or SlashCommandKind.Reject when !await gate.MayApproveAsync(client, current.Owner, current.Name, current.RepositoryId, person, settings, cancellationToken) =>
                    await RefuseAsync(client, current, where, command, actor, ApprovalGate.NotAnApprover, cancellationToken),
                SlashCommandKind.Approve => await ApproveAsync(client, current, command, person, e.Comment.Id, e.Issue.Body, cancellationToken),
                SlashCommandKind.Reject => await RejectAsync(client, current, where, command, actor, e.Comment.Id, cancellationToken),
                _ => await RefuseAsync(client, current, where, command, actor, onPullRequest
                    ? "on a proposal's pull request only `/reject [reason]`, `/status` and `/help` work; merge it to deploy it"
                    : "on a proposal only `/approve`, `/reject [reason]`, `/status` and `/help` work", cancellationToken),
            };
            Log.Command(logger, proposal.Id, command.Name, actor, outcome.Text);
            outcomes.Add(outcome);
        }

        return DeliveryOutcome.Join(outcomes);
    }

    /// <summary>
    /// Someone edited the proposal's issue body (GitHub's <c>issues.edited</c>, with <c>sender</c> and <c>changes.body</c>).
    /// The edit is recorded with its author and the SHA-256 of the body before and
    /// after: an approval records the hash of the body it approved, so the log shows whose text was approved. The edit
    /// itself decides nothing; only an approver's <c>/approve</c> does.
    /// </summary>
    public async Task<DeliveryOutcome> IssueEditedAsync(IssuesEditedEvent e, Proposal proposal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(proposal);
        if (e.Changes?.Body is not { } before)
        {
            return DeliveryOutcome.Ignored("the body did not change");
        }

        if (e.Sender is null || await gate.IsBotAsync(e.Sender, e.Installation?.Id, cancellationToken))
        {
            return DeliveryOutcome.Ignored("Atom's or a bot's edit");
        }

        var block = ProposalText.ReadSettings(e.Issue.Body);
        await audit.RecordAsync(AuditKinds.ProposalEdited, null, e.Sender.Login, new
        {
            proposal = proposal.Id,
            issue = proposal.IssueNumber,
            state = proposal.State.ToName(),
            previousBody = Hashing.Sha256(before.From ?? ""),
            issueBody = Hashing.Sha256(e.Issue.Body ?? ""),
            settings = block.Text is { } text ? Hashing.Sha256(text) : null,
        }, cancellationToken);
        return DeliveryOutcome.Handled($"recorded an edit of proposal {proposal.Id} by {e.Sender.Login}");
    }

    /// <summary>
    /// A review of the proposal's pull request. An approving review is answered with
    /// <see cref="NeverMerges"/> and audited as a refusal: it is not a package approval, and Atom merges nothing.
    /// </summary>
    public async Task<DeliveryOutcome> ReviewSubmittedAsync(PullRequestReviewSubmittedEvent e, Proposal proposal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(proposal);
        if (await gate.IsBotAsync(e.Review.User, e.Installation?.Id, cancellationToken))
        {
            return DeliveryOutcome.Ignored("a bot's review");
        }

        if (e.Review.State != ReviewState.Approved)
        {
            return DeliveryOutcome.IgnoredReview(e.Review.State, " on a proposal's pull request");
        }

        var client = await github.CreateAsync(proposal.InstallationId, proposal.RepositoryId, GitHubAccess.Conversation, cancellationToken);
        var outcome = await RefuseAsync(client, proposal, (int)e.PullRequest.Number, new SlashCommand(SlashCommandKind.Approve, ""), e.Review.User.Login, NeverMerges, cancellationToken);
        Log.Command(logger, proposal.Id, "approving review", e.Review.User.Login, outcome.Text);
        return outcome;
    }

    /// <summary>
    /// A push to the proposal's pull request. Atom builds a proposal's branch once, from
    /// the approved spec, before the pull request exists, so a head other than the one its <c>proposal.implemented</c>
    /// entry certified was pushed by someone else: the head gets a failing <c>atom/certification</c>, the
    /// <c>atom:certified</c> label goes, and the pull request says why. Atom does not certify it again: what the spec's
    /// approver approved is what Atom built.
    /// </summary>
    public async Task<DeliveryOutcome> SynchronizeAsync(PullRequestSynchronizeEvent e, Proposal proposal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(proposal);
        var head = e.PullRequest.Head.Sha;
        if (proposal.State != ProposalState.PrOpen)
        {
            return DeliveryOutcome.Ignored($"the proposal is {proposal.State.ToName()}");
        }

        var implemented = await audit.LastForProposalAsync(proposal.Id, AuditKinds.ProposalImplemented, cancellationToken);
        string? certified = null;
        if (implemented?.Payload is { } payload)
        {
            using var document = JsonDocument.Parse(payload);
            certified = document.RootElement.TryGetProperty("sha", out var sha) ? sha.GetString() : null;
        }

        // The certified head is back only after someone moved it away; otherwise it is nothing new.
        var restored = head == certified;
        if (restored && (await audit.LastForProposalAsync(proposal.Id, AuditKinds.ProposalHeadMoved, cancellationToken) is not { } moved
            || moved.Sequence < implemented!.Sequence))
        {
            return DeliveryOutcome.Ignored("the certified head");
        }

        var actor = e.Sender?.Login ?? "unknown";
        var pullRequest = (int)e.PullRequest.Number;
        await audit.RecordAsync(AuditKinds.ProposalHeadMoved, null, actor, new { proposal = proposal.Id, pullRequest = proposal.PullRequest, head, certified }, cancellationToken);
        if (restored)
        {
            await publisher.RestoreAsync(proposal.InstallationId, proposal.RepositoryId, proposal.Repository, pullRequest, cancellationToken);
            return DeliveryOutcome.Handled($"proposal {proposal.Id}: the certified head {head} is back");
        }

        var reason = $"{actor} pushed {head} to `{proposal.Branch}` after Atom certified {certified ?? "its build"}. A proposal's branch holds exactly what was built "
            + "from the approved spec, so this head is not certified, and Atom does not certify it again. Push the certified commit back to restore it; "
            + "merging this head is a human's call on an uncertified change.";
        await publisher.WithdrawAsync(proposal.InstallationId, proposal.RepositoryId, proposal.Repository, pullRequest, head, reason, cancellationToken);
        Log.HeadMoved(logger, proposal.Id, head, actor);
        return DeliveryOutcome.Handled($"proposal {proposal.Id}: head {head} is not certified");
    }

    /// <summary>The proposal's pull request was merged (deployed) or closed unmerged.</summary>
    public async Task<DeliveryOutcome> PullRequestClosedAsync(PullRequestClosedEvent e, Proposal proposal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(proposal);
        var actor = e.PullRequest.MergedBy?.Login ?? e.Sender?.Login ?? "unknown";
        var merged = e.PullRequest.Merged == true;
        if (!await store.TransitionAsync(proposal.Id, [ProposalState.PrOpen], merged ? ProposalState.Merged : ProposalState.Rejected,
                merged ? $"merged by {actor}" : "pull request closed without merge", cancellationToken))
        {
            return DeliveryOutcome.Ignored("the proposal is not waiting for its pull request");
        }

        await audit.RecordAsync(merged ? AuditKinds.ProposalMerged : AuditKinds.ProposalRejected, null, actor, new
        {
            proposal = proposal.Id,
            issue = proposal.IssueNumber,
            pullRequest = proposal.PullRequest,
            sha = e.PullRequest.Head.Sha,
            mergeCommit = merged ? e.PullRequest.MergeCommitSha : null,
            reason = merged ? null : "pull request closed without merge",
        }, cancellationToken);
        var client = await github.CreateAsync(proposal.InstallationId, proposal.RepositoryId, GitHubAccess.Conversation, cancellationToken);
        if (proposal.IssueNumber is { } issue)
        {
            await conversation.CommentAsync(client, proposal.Owner, proposal.Name, issue, merged
                ? $"Deployed: @{actor} merged #{proposal.PullRequest}. The change applies from the default branch on."
                : $"The pull request #{proposal.PullRequest} was closed without merge; the proposal is closed.", cancellationToken);
            await client.Issue.Update(proposal.Owner, proposal.Name, issue, new IssueUpdate { State = ItemState.Closed });
        }

        await dashboard.RefreshAsync(client, proposal.RepositoryId, proposal.Owner, proposal.Name, cancellationToken);
        return DeliveryOutcome.Handled(merged ? $"proposal {proposal.Id} merged by {actor}" : $"proposal {proposal.Id} closed unmerged");
    }

    private async Task<DeliveryOutcome> ApproveAsync(IGitHubClient client, Proposal proposal, SlashCommand command, GitHubPerson person, long commentId, string? issueBody, CancellationToken cancellationToken)
    {
        var actor = person.Login;
        // What the issue body says at the moment of /approve is what is approved and built, whoever edited it last.
        var approved = ApprovedChange(proposal, issueBody);
        if (approved.Problem is { } problem)
        {
            return await RefuseAsync(client, proposal, proposal.IssueNumber!.Value, command, actor, problem, cancellationToken);
        }

        var change = approved.Change!;
        var edited = change != proposal.Change;
        if (!await store.ApproveAsync(proposal.Id, actor, auto: false, proposal.Change, change, cancellationToken))
        {
            var now = (await store.GetAsync(proposal.Id, cancellationToken))!;
            return await RefuseAsync(client, proposal, proposal.IssueNumber!.Value, command, actor, now.State == ProposalState.Open
                ? "new evidence changed the proposal meanwhile; read it again and `/approve` what it says now"
                : $"the proposal is {now.State.ToName()}, not open", cancellationToken);
        }

        proposal = proposal with { Change = change };
        await audit.RecordAsync(AuditKinds.ProposalApproved, null, actor, new
        {
            proposal = proposal.Id,
            issue = proposal.IssueNumber,
            category = proposal.Category.ToName(),
            key = proposal.Key,
            auto = false,
            approverId = person.Id,
            edited,
            change = ProposalDrafter.ChangeHash(change),
            settings = change.SettingsAfter is { } after ? Hashing.Sha256(after) : null,
            issueBody = Hashing.Sha256(issueBody ?? ""),
        }, cancellationToken);
        if (edited && change.Diff is { } diff)
        {
            await conversation.CommentAsync(client, proposal.Owner, proposal.Name, proposal.IssueNumber!.Value,
                $"@{actor} approved the `.github/atom.yml` block as the issue shows it now, edited since Atom drafted it. This is the diff Atom builds:\n\n```diff\n{diff}```", cancellationToken);
        }

        await conversation.ReactToCommentAsync(client, proposal.Owner, proposal.Name, commentId, ReactionType.Plus1, cancellationToken);
        if (proposal.Category == ProposalCategory.Tooling)
        {
            await conversation.CommentAsync(client, proposal.Owner, proposal.Name, proposal.IssueNumber!.Value,
                $"@{actor} acknowledged the report. Nothing in this repository changes: tooling is Atom's maintainers' to fix.", cancellationToken);
        }
        else
        {
            await conversation.CommentAsync(client, proposal.Owner, proposal.Name, proposal.IssueNumber!.Value,
                $"@{actor} approved the spec. Atom builds it as a pull request labelled `{ProposalText.Label}`; it takes effect only when a human merges it.", cancellationToken);
            scheduler.Enqueue(new ImplementProposal(proposal.Id));
        }

        await dashboard.RefreshAsync(client, proposal.RepositoryId, proposal.Owner, proposal.Name, cancellationToken);
        return DeliveryOutcome.Handled($"approved by {actor}");
    }

    /// <summary>
    /// The change an approver's <c>/approve</c> approves: for a skill, the spec fields as the body says them now (the
    /// drafted spec when the body no longer has them all); for scope and settings, the one <c>.github/atom.yml</c> block,
    /// which must parse and validate as settings. A problem refuses the approval; nothing is built.
    /// </summary>
    private static (ProposedChange? Change, string? Problem) ApprovedChange(Proposal proposal, string? issueBody)
    {
        if (proposal.State != ProposalState.Open)
        {
            return (proposal.Change, null);
        }

        if (proposal.Category == ProposalCategory.Skill)
        {
            return (ProposalText.ParseSkill(issueBody) is { } spec && spec != proposal.Change.Skill ? proposal.Change with { Skill = spec } : proposal.Change, null);
        }

        if (proposal.Change.SettingsAfter is null)
        {
            return (proposal.Change, null);
        }

        var block = ProposalText.ReadSettings(issueBody);
        if (block.Problem is { } problem)
        {
            // An issue filed before the block existed shows only the diff: it approves the drafted change, unedited.
            var body = (issueBody ?? "").ReplaceLineEndings("\n");
            return !body.Contains(ProposalText.SettingsMarker, StringComparison.Ordinal) && body.Contains(proposal.Change.Diff!, StringComparison.Ordinal)
                ? (proposal.Change, null)
                : (null, problem);
        }

        if (ProposalText.SameSettings(block.Text, proposal.Change.SettingsAfter))
        {
            return (proposal.Change, null);
        }

        var parsed = RepoSettingsParser.Parse(block.Text);
        return parsed.Settings is null
            ? (null, $"the edited `.github/atom.yml` block is not valid settings: \"{parsed.Error}\"; fix the block and `/approve` again")
            : (proposal.Change with { SettingsAfter = block.Text }, null);
    }

    private async Task<DeliveryOutcome> RejectAsync(IGitHubClient client, Proposal proposal, int where, SlashCommand command, string actor, long commentId, CancellationToken cancellationToken)
    {
        var reason = command.Argument.Length > 0 ? command.Argument : "rejected";
        if (!await store.TransitionAsync(proposal.Id, [ProposalState.Open, ProposalState.Approved, ProposalState.PrOpen], ProposalState.Rejected, reason, cancellationToken))
        {
            return await RefuseAsync(client, proposal, where, command, actor, $"the proposal is already {proposal.State.ToName()}", cancellationToken);
        }

        await audit.RecordAsync(AuditKinds.ProposalRejected, null, actor, new { proposal = proposal.Id, issue = proposal.IssueNumber, reason = command.Argument }, cancellationToken);
        await conversation.ReactToCommentAsync(client, proposal.Owner, proposal.Name, commentId, ReactionType.Plus1, cancellationToken);
        if (proposal.PullRequest is { } pr && proposal.State == ProposalState.PrOpen)
        {
            await client.PullRequest.Update(proposal.Owner, proposal.Name, pr, new PullRequestUpdate { State = ItemState.Closed });
        }

        await client.Issue.Update(proposal.Owner, proposal.Name, proposal.IssueNumber!.Value, new IssueUpdate { State = ItemState.Closed });
        await dashboard.RefreshAsync(client, proposal.RepositoryId, proposal.Owner, proposal.Name, cancellationToken);
        return DeliveryOutcome.Handled("rejected");
    }

    private async Task<DeliveryOutcome> ReplyAsync(IGitHubClient client, Proposal proposal, int where, string body, string outcome, CancellationToken cancellationToken)
    {
        await conversation.CommentAsync(client, proposal.Owner, proposal.Name, where, body, cancellationToken);
        return DeliveryOutcome.Handled(outcome);
    }

    /// <summary>Answers a refused command where it was given (the proposal's issue or its pull request), audited.</summary>
    private async Task<DeliveryOutcome> RefuseAsync(IGitHubClient client, Proposal proposal, int where, SlashCommand command, string actor, string reason, CancellationToken cancellationToken, string? body = null)
    {
        await audit.RecordAsync(AuditKinds.ProposalRefused, null, actor, new { proposal = proposal.Id, command = command.Name, on = where, reason }, cancellationToken);
        await gate.AnswerRefusalAsync(client, proposal.Owner, proposal.Name, where, actor, command, reason, body, cancellationToken);
        return DeliveryOutcome.Refused(command, reason);
    }
}
