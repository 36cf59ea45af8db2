namespace Atom.Bot.Audit;

/// <summary>
/// The kinds of semantic log entries. Payload conventions (docs/audit.md): an entry that names a commit carries it
/// as <c>sha</c>; a merge also carries <c>merge_sha</c>; large texts appear only as their SHA-256.
/// </summary>
public static class AuditKinds
{
    // Intake (issue 2)
    public const string TaskAccepted = "task.accepted";
    public const string TaskRefused = "task.refused";
    public const string TaskCancelled = "task.cancelled";
    public const string SettingsInvalid = "settings.invalid";
    public const string InstallationChanged = "installation.changed";

    // Supervisor and workers
    public const string Plan = "plan.created";
    public const string Dispatch = "assignment.dispatched";
    public const string ToolRefusals = "tool.refused";
    public const string AssignmentWorked = "assignment.worked";
    public const string McpCalled = "mcp.called";
    public const string AssignmentFinished = "assignment.finished";
    public const string EvaluationStarted = "evaluation.started";
    public const string Evaluation = "evaluation.completed";
    public const string RevisionRequested = "revision.requested";
    public const string TaskFailed = "task.failed";

    // Certification package
    public const string PackagePosted = "package.posted";
    public const string PackageUpdated = "package.updated";

    // Reviewing like with a colleague (issue 15, docs/approval.md)
    public const string ReviewRequested = "review.requested";
    public const string ReviewThreadRecorded = "review.thread_recorded";
    public const string ReviewThreadAnswered = "review.thread_answered";

    // Approval
    public const string ApprovalAccepted = "approval.accepted";
    public const string ApprovalRefused = "approval.refused";
    public const string ApprovalStale = "approval.stale";
    public const string ApprovalWithdrawn = "approval.withdrawn";
    public const string ApprovalRepeated = "approval.repeated";
    public const string BranchNotAdopted = "branch.not_adopted";
    public const string PullRequestNotAdopted = "pull_request.not_adopted";
    public const string CommandRefused = "command.refused";
    public const string MergeOrdered = "merge.ordered";
    public const string MergeRefused = "merge.refused";
    public const string MergeBlocked = "merge.blocked";
    public const string MergeEnqueued = "merge.enqueued";
    public const string MergeDequeued = "merge.dequeued";
    public const string Merge = "merge.completed";
    public const string Rejection = "task.rejected";

    // Proposals (issue 8, docs/proposals.md)
    public const string ProposalDrafted = "proposal.drafted";
    public const string ProposalUpdated = "proposal.updated";
    public const string ProposalEdited = "proposal.edited";
    public const string ProposalApproved = "proposal.approved";
    public const string ProposalRejected = "proposal.rejected";
    public const string ProposalRefused = "proposal.command_refused";
    public const string ProposalImplemented = "proposal.implemented";
    public const string ProposalFailed = "proposal.failed";
    public const string ProposalMerged = "proposal.merged";
    public const string ProposalHeadMoved = "proposal.head_moved";

    // The chain itself: written by the audit log, always exported in full.
    public const string ChainStarted = "audit.chain_started";
    public const string KeyRotated = "audit.key_rotated";
    public const string ReceiptSignerAnnounced = "audit.receipt_signer_announced";
    public const string ReceiptRecorded = "receipt.recorded";

    // Budgets (issue 16, docs/operations.md "LLM usage")

    /// <summary>A task reached a token budget and was stopped: which budget, tokens used, the budget, where it stopped.</summary>
    public const string BudgetStopped = "budget.stopped";

    /// <summary>A labelled issue was refused because the repository's monthly token budget is used up.</summary>
    public const string BudgetRefused = "budget.refused";

    /// <summary>The platform mode changed (health API): from, to, why, and the reading.</summary>
    public const string PlatformMode = "platform.mode";

    /// <summary>Entries about the chain's keys: a verifier needs their payloads, so an export never elides them.</summary>
    public static bool IsChainKind(string kind) => kind.StartsWith("audit.", StringComparison.Ordinal);

    /// <summary>Kinds only the audit log and the receipts write; <see cref="AuditLog.RecordAsync"/> refuses them.</summary>
    public static bool IsReserved(string kind) => IsChainKind(kind) || kind == ReceiptRecorded;
}
