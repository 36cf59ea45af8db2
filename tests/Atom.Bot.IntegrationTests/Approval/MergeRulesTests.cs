using System.Text.Json.Nodes;
using Atom.Bot.Audit;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Tasks;

namespace Atom.Bot.IntegrationTests.Approval;

/// <summary>
/// Merging into a protected default branch: the rulesets and branch protection GitHub reports decide whether Atom merges,
/// queues, or waits (named on the pull request and in <c>/status</c>), end to end through webhooks.
/// </summary>
public sealed class MergeRulesTests
{
    private const string Writer = "alice";

    private static async Task<string> StatusReplyAsync(AtomScenario scenario, int pull)
    {
        var before = scenario.GitHub.Comments(pull).Count;
        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, "visitor", "/status"));
        var replies = await ApprovalTests.RepliesAsync(scenario, pull, before + 1);
        return replies[^1];
    }

    [Fact]
    public async Task Without_rules_the_merge_goes_through_as_before_after_reading_them()
    {
        var (scenario, task, pull) = await ApprovalTests.CertifiedAsync();
        await using var _ = scenario;

        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, Writer, "approved", task.HeadSha!));
        await scenario.WaitForStateAsync(TaskState.Merged);

        scenario.GitHub.Requests("GET", "/repos/*/*/rules/branches/*").ShouldNotBeEmpty("the rulesets are read before merging");
        scenario.GitHub.Merges().ShouldHaveSingleItem();
        scenario.GitHub.GraphQl("enqueuePullRequest").ShouldBeEmpty();
    }

    [Fact]
    public async Task A_required_merge_queue_gets_the_certified_sha_enqueued_and_the_queue_merge_ends_the_task()
    {
        var (scenario, task, pull) = await ApprovalTests.CertifiedAsync();
        await using var _ = scenario;
        scenario.GitHub.RequireMergeQueue();

        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, Writer, "approved", task.HeadSha!));
        var queued = await scenario.WaitForStateAsync(TaskState.MergeQueued);

        var enqueue = scenario.GitHub.GraphQl("enqueuePullRequest").ShouldHaveSingleItem();
        enqueue["variables"]!["expectedHeadOid"]!.GetValue<string>().ShouldBe(task.HeadSha);
        enqueue["variables"]!["pullRequestId"]!.GetValue<string>().ShouldBe($"PR_stub{pull}");
        scenario.GitHub.Queued.ShouldContain(pull);
        scenario.GitHub.Requests("PUT", "/repos/*/*/pulls/*/merge").ShouldBeEmpty("a queued branch is never merged with the REST call");
        queued.StateReason.ShouldNotBeNull().ShouldContain("merge queue");
        await Eventually.TrueAsync(() => scenario.GitHub.Comments(pull).Any(c => c.Contains("merge queue", StringComparison.Ordinal)), "the queue said on the pull request");

        await scenario.Host.SendAsync("pull_request", Payloads.PullRequestClosed(pull, merged: true, "github-merge-queue[bot]", task.HeadSha!, userType: "Bot"));
        await scenario.WaitForStateAsync(TaskState.Merged);
        var kinds = (await scenario.AuditAsync(task.Id)).Select(e => e.Kind).ToList();
        kinds.ShouldContain(AuditKinds.MergeEnqueued);
        kinds.ShouldContain(AuditKinds.Merge);
        (await scenario.VerifyAuditAsync()).IsValid.ShouldBeTrue();
    }

    [Fact]
    public async Task A_refused_enqueue_is_said_on_the_pull_request_and_nothing_merges()
    {
        var (scenario, task, pull) = await ApprovalTests.CertifiedAsync();
        await using var _ = scenario;
        scenario.GitHub.RequireMergeQueue();
        scenario.GitHub.EnqueueError = ("UNPROCESSABLE", "Pull request is not mergeable");

        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, Writer, "approved", task.HeadSha!));

        await Eventually.TrueAsync(() => scenario.GitHub.Comments(pull).Any(c => c.Contains("refused to put", StringComparison.Ordinal) && c.Contains("Pull request is not mergeable", StringComparison.Ordinal)), "the refusal quoted");
        (await scenario.TaskOfIssueAsync()).State.ShouldBe(TaskState.AwaitingApproval);
        scenario.GitHub.Requests("PUT", "/repos/*/*/pulls/*/merge").ShouldBeEmpty();
    }

    [Fact]
    public async Task Reject_of_a_queued_pull_request_takes_it_out_of_the_queue()
    {
        var (scenario, task, pull) = await ApprovalTests.CertifiedAsync();
        await using var _ = scenario;
        scenario.GitHub.RequireMergeQueue();
        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, Writer, "approved", task.HeadSha!));
        await scenario.WaitForStateAsync(TaskState.MergeQueued);

        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, Writer, "/reject not now"));
        await scenario.WaitForStateAsync(TaskState.Rejected);

        // The task is rejected first (compare-and-set), then taken out of the queue and the dequeue recorded.
        await Eventually.TrueAsync(async () => (await scenario.AuditAsync(task.Id)).Any(e => e.Kind == AuditKinds.MergeDequeued), "the dequeue recorded");
        scenario.GitHub.GraphQl("dequeuePullRequest").ShouldHaveSingleItem()["variables"]!["id"]!.GetValue<string>().ShouldBe($"PR_stub{pull}");
        scenario.GitHub.Queued.ShouldNotContain(pull);
        (await scenario.AuditAsync(task.Id)).ShouldContain(e => e.Kind == AuditKinds.MergeDequeued);
    }

    [Fact]
    public async Task A_push_to_a_queued_pull_request_makes_the_approval_stale_and_dequeues_it()
    {
        var (scenario, task, pull) = await ApprovalTests.CertifiedAsync();
        await using var _ = scenario;
        scenario.GitHub.RequireMergeQueue();
        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, Writer, "approved", task.HeadSha!));
        await scenario.WaitForStateAsync(TaskState.MergeQueued);

        await scenario.Host.SendAsync("pull_request", Payloads.Synchronize(pull, new string('e', 40), "mallory"));

        await Eventually.TrueAsync(() => scenario.GitHub.GraphQl("dequeuePullRequest").Count == 1, "dequeued");
        await Eventually.TrueAsync(async () => (await scenario.TaskOfIssueAsync()).State != TaskState.MergeQueued, "the task left the queue state");
        scenario.GitHub.Queued.ShouldNotContain(pull);
        scenario.GitHub.Merges().ShouldBeEmpty();
    }

    [Fact]
    public async Task Dequeued_by_GitHub_is_said_on_the_pull_request_and_the_task_awaits_approval_again()
    {
        var (scenario, task, pull) = await ApprovalTests.CertifiedAsync();
        await using var _ = scenario;
        scenario.GitHub.RequireMergeQueue();
        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, Writer, "approved", task.HeadSha!));
        await scenario.WaitForStateAsync(TaskState.MergeQueued);

        await scenario.Host.SendAsync("pull_request", CheckPayloads.Dequeued(pull, task.HeadSha!, "CI_FAILURE"));
        var back = await scenario.WaitForStateAsync(TaskState.AwaitingApproval);

        back.StateReason.ShouldNotBeNull().ShouldContain("CI_FAILURE");
        await Eventually.TrueAsync(() => scenario.GitHub.Comments(pull).Any(c => c.Contains("left the merge queue", StringComparison.Ordinal) && c.Contains("CI_FAILURE", StringComparison.Ordinal)), "why, on the pull request");
        scenario.GitHub.Merges().ShouldBeEmpty();
    }

    [Fact]
    public async Task A_required_check_still_running_blocks_the_merge_until_a_check_suite_shows_it_passed()
    {
        var (scenario, task, pull) = await ApprovalTests.CertifiedAsync();
        await using var _ = scenario;
        var sha = task.HeadSha!;
        // atom/certification is required too: Atom's own check run passed when the package was posted, so it does not wait on it.
        scenario.GitHub.RequireStatusChecks("ci", "atom/certification");
        scenario.GitHub.CheckRun(sha, "ci", "in_progress");

        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, Writer, "approved", sha));
        var blocked = await scenario.WaitForStateAsync(TaskState.MergeBlocked);

        blocked.StateReason.ShouldNotBeNull().ShouldContain("`ci`");
        blocked.StateReason.ShouldContain("ruleset 42");
        blocked.StateReason.ShouldNotContain("atom/certification");
        await Eventually.TrueAsync(() => scenario.GitHub.Comments(pull).Any(c => c.Contains("waiting for required check `ci`", StringComparison.Ordinal)), "the block named on the pull request");
        (await StatusReplyAsync(scenario, pull)).ShouldSatisfyAllConditions(
            s => s.ShouldContain("merge_blocked"),
            s => s.ShouldContain("waiting for required check `ci`"));
        scenario.GitHub.Requests("PUT", "/repos/*/*/pulls/*/merge").ShouldBeEmpty("Atom does not ask GitHub to merge what it would refuse");

        scenario.GitHub.CheckRun(sha, "ci", "completed", "success");
        await scenario.Host.SendAsync("check_suite", CheckPayloads.CheckSuiteCompleted(sha));
        await scenario.WaitForStateAsync(TaskState.Merged);

        var merge = scenario.GitHub.Merges().ShouldHaveSingleItem();
        JsonNode.Parse(merge.Body!)!["sha"]!.GetValue<string>().ShouldBe(sha);
        scenario.GitHub.RefusedMerges().ShouldBeEmpty();
    }

    [Fact]
    public async Task A_failing_required_check_is_reported_once_and_nothing_merges_until_it_passes()
    {
        var (scenario, task, pull) = await ApprovalTests.CertifiedAsync();
        await using var _ = scenario;
        var sha = task.HeadSha!;
        scenario.GitHub.RequireStatusChecks("ci");
        scenario.GitHub.CommitStatus(sha, "ci", "failure");

        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, Writer, "approved", sha));
        await scenario.WaitForStateAsync(TaskState.MergeBlocked);
        await Eventually.TrueAsync(() => scenario.GitHub.Comments(pull).Any(c => c.Contains("required check `ci` (failure", StringComparison.Ordinal)), "the failure named");

        await scenario.Host.SendAsync("status", CheckPayloads.Status(sha, "ci", "failure"));
        await scenario.Host.SendAsync("check_suite", CheckPayloads.CheckSuiteCompleted(sha, "failure"));
        await Eventually.QuietPeriodAsync(TimeSpan.FromSeconds(2));

        scenario.GitHub.Comments(pull).Count(c => c.Contains("required check `ci` (failure", StringComparison.Ordinal)).ShouldBe(1, "a failing check is said once");
        scenario.GitHub.Requests("PUT", "/repos/*/*/pulls/*/merge").ShouldBeEmpty();
        (await scenario.TaskOfIssueAsync()).State.ShouldBe(TaskState.MergeBlocked);

        scenario.GitHub.CommitStatus(sha, "ci", "success");
        await scenario.Host.SendAsync("status", CheckPayloads.Status(sha, "ci", "success"));
        await scenario.WaitForStateAsync(TaskState.Merged);
        scenario.GitHub.Merges().ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Required_reviews_ask_plainly_for_a_pull_request_review_instead_of_calling_merge()
    {
        var (scenario, task, pull) = await ApprovalTests.CertifiedAsync();
        await using var _ = scenario;
        var sha = task.HeadSha!;
        scenario.GitHub.RequireApprovingReviews(1);

        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, Writer, "/approve"));
        var blocked = await scenario.WaitForStateAsync(TaskState.MergeBlocked);

        blocked.StateReason.ShouldNotBeNull().ShouldContain("requires 1 approving pull request review");
        await Eventually.TrueAsync(() => scenario.GitHub.Comments(pull).Any(c => c.Contains("a `/approve` comment is not a GitHub review", StringComparison.Ordinal)
            && c.Contains("approve with a pull request review", StringComparison.Ordinal)), "asked for a review");
        scenario.GitHub.Requests("PUT", "/repos/*/*/pulls/*/merge").ShouldBeEmpty("GitHub would answer 405");

        scenario.GitHub.Review(pull, Writer, "APPROVED", sha);
        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, Writer, "approved", sha));
        await scenario.WaitForStateAsync(TaskState.Merged);
        scenario.GitHub.Merges().ShouldHaveSingleItem();
        scenario.GitHub.RefusedMerges().ShouldBeEmpty();
    }

    [Fact]
    public async Task Classic_branch_protection_checks_block_the_merge_and_are_named_as_branch_protection()
    {
        var (scenario, task, pull) = await ApprovalTests.CertifiedAsync();
        await using var _ = scenario;
        scenario.GitHub.ClassicProtection(["build"]);

        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, Writer, "approved", task.HeadSha!));
        var blocked = await scenario.WaitForStateAsync(TaskState.MergeBlocked);

        blocked.StateReason.ShouldNotBeNull().ShouldContain("waiting for required check `build` (not reported yet, required by branch protection)");
        scenario.GitHub.Requests("PUT", "/repos/*/*/pulls/*/merge").ShouldBeEmpty();
    }

    [Fact]
    public async Task Without_Administration_read_the_rulesets_alone_decide_and_the_block_says_so()
    {
        var (scenario, task, pull) = await ApprovalTests.CertifiedAsync();
        await using var _ = scenario;
        scenario.GitHub.ProtectionForbidden = true;
        scenario.GitHub.RequireStatusChecks("ci");

        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, Writer, "approved", task.HeadSha!));
        var blocked = await scenario.WaitForStateAsync(TaskState.MergeBlocked);

        blocked.StateReason.ShouldNotBeNull().ShouldContain("waiting for required check `ci`");
        blocked.StateReason.ShouldContain("classic branch protection could not be read");
        scenario.GitHub.Requests("GET", "/repos/*/*/branches/*/protection").ShouldNotBeEmpty();
    }

    [Fact]
    public async Task A_push_while_blocked_ends_the_wait_and_checks_of_the_old_head_merge_nothing()
    {
        var (scenario, task, pull) = await ApprovalTests.CertifiedAsync();
        await using var _ = scenario;
        var sha = task.HeadSha!;
        scenario.GitHub.RequireStatusChecks("ci");
        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, Writer, "approved", sha));
        await scenario.WaitForStateAsync(TaskState.MergeBlocked);

        await scenario.Host.SendAsync("pull_request", Payloads.Synchronize(pull, new string('e', 40), "mallory"));
        await Eventually.TrueAsync(async () => (await scenario.TaskOfIssueAsync()).State != TaskState.MergeBlocked, "the wait ended");
        scenario.GitHub.CheckRun(sha, "ci", "completed", "success");
        await scenario.Host.SendAsync("check_suite", CheckPayloads.CheckSuiteCompleted(sha));
        await Eventually.QuietPeriodAsync(TimeSpan.FromSeconds(2));

        scenario.GitHub.Requests("PUT", "/repos/*/*/pulls/*/merge").ShouldBeEmpty("the approval was of the old head");
        (await scenario.TaskOfIssueAsync()).State.ShouldNotBe(TaskState.Merged);
    }
}
