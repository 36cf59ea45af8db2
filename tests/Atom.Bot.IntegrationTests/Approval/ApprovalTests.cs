using Atom.Bot.Approval;
using Atom.Bot.Audit;
using Atom.Bot.Certification;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Tasks;

namespace Atom.Bot.IntegrationTests.Approval;

/// <summary>Reviews, merges, pushes and slash commands on a certified package, through webhooks, end to end.</summary>
public sealed class ApprovalTests
{
    internal const string TaskBranch = "atom/issue-1/add-a-greeting";
    private const string Writer = "alice";
    private const string SecondWriter = "bob";

    /// <summary>Runs a labelled issue to a certified package and returns the task with its pull request.</summary>
    internal static async Task<(AtomScenario Scenario, AtomTask Task, int Pull)> CertifiedAsync(string? settings = null)
    {
        var scenario = await AtomScenario.StartAsync(settings: settings);
        scenario.ReplyPlan(("Code", ["src/**"])).ReplyWrite("src/greeting.txt", "hello\n").ReplyVerdict();
        await scenario.Host.SendAsync("issues", scenario.Labeled());
        var task = await scenario.WaitForStateAsync(TaskState.AwaitingApproval);
        return (scenario, task, task.PullRequest!.Value);
    }

    internal static async Task<IReadOnlyList<string>> RepliesAsync(AtomScenario scenario, int number, int count)
    {
        await Eventually.TrueAsync(() => scenario.GitHub.Comments(number).Count >= count, $"{count} comment(s) on #{number}");
        return scenario.GitHub.Comments(number);
    }

    [Fact]
    public async Task Approved_review_by_a_writer_merges_the_certified_sha_and_deletes_the_branch()
    {
        var (scenario, task, pull) = await CertifiedAsync();
        await using var _ = scenario;

        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, Writer, "approved", task.HeadSha!));
        var merged = await scenario.WaitForStateAsync(TaskState.Merged);

        var merge = scenario.GitHub.Merges().ShouldHaveSingleItem();
        merge.Path.ShouldEndWith($"/pulls/{pull}/merge");
        System.Text.Json.Nodes.JsonNode.Parse(merge.Body!)!["sha"]!.GetValue<string>().ShouldBe(task.HeadSha);
        System.Text.Json.Nodes.JsonNode.Parse(merge.Body!)!["merge_method"]!.GetValue<string>().ShouldBe("squash");
        // The branch is deleted right after the task is marked merged.
        await Eventually.TrueAsync(() => scenario.GitHub.Requests("DELETE", $"/repos/*/*/git/refs/heads/{TaskBranch}").Count > 0, "the branch deleted");
        scenario.GitHub.Requests("DELETE", $"/repos/*/*/git/refs/heads/{TaskBranch}").ShouldHaveSingleItem();
        merged.StateReason.ShouldNotBeNull().ShouldContain("merged");
        var kinds = (await scenario.AuditAsync(task.Id)).Select(e => e.Kind).ToList();
        kinds.ShouldContain(AuditKinds.ApprovalAccepted);
        kinds.ShouldContain(AuditKinds.Merge);
        var receipts = await scenario.Host.Services.GetRequiredService<ExecutionReceipts>().ForTaskAsync(task.Id, CancellationToken.None);
        receipts.ShouldContain(r => r.Kind == ReceiptKinds.Merge);
        (await scenario.VerifyAuditAsync()).IsValid.ShouldBeTrue();
    }

    [Fact]
    public async Task A_merge_that_fails_before_GitHub_is_asked_gives_its_claim_back_and_the_retried_delivery_merges()
    {
        var (scenario, task, pull) = await CertifiedAsync();
        await using var _ = scenario;

        // The pull request check right before the merge fails past the client's own retries (4 attempts): the delivery
        // job fails after claiming the merge, and Hangfire runs it again.
        scenario.GitHub.FailFirst("GET", $"/repos/*/*/pulls/{pull}", 502, times: 4);
        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, Writer, "approved", task.HeadSha!));

        await scenario.WaitForStateAsync(TaskState.Merged);
        scenario.GitHub.Requests("GET", $"/repos/*/*/pulls/{pull}").Count.ShouldBeGreaterThanOrEqualTo(5);
        scenario.GitHub.Merges().ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Approve_from_a_read_only_user_is_refused_with_the_reason()
    {
        var (scenario, _, pull) = await CertifiedAsync();
        await using var _ = scenario;
        scenario.GitHub.Permission("reader", "read");
        var before = scenario.GitHub.Comments(pull).Count;

        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, "reader", "/approve"));

        (await RepliesAsync(scenario, pull, before + 1))[^1].ShouldContain("not an approver");
        scenario.GitHub.Merges().ShouldBeEmpty();
        (await scenario.TaskOfIssueAsync()).State.ShouldBe(TaskState.AwaitingApproval);
    }

    [Fact]
    public async Task Approver_listed_in_settings_is_accepted_without_write_permission()
    {
        var (scenario, _, pull) = await CertifiedAsync("approvers: [carol]\n");
        await using var _ = scenario;
        scenario.GitHub.Permission("carol", "read");

        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, "carol", "/approve"));

        await scenario.WaitForStateAsync(TaskState.Merged);
        scenario.GitHub.Merges().ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Requester_cannot_approve_when_requester_can_approve_is_false()
    {
        var (scenario, task, pull) = await CertifiedAsync("requester_can_approve: false\n");
        await using var _ = scenario;
        var before = scenario.GitHub.Comments(pull).Count;

        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, Payloads.Labeller, "approved", task.HeadSha!));

        (await RepliesAsync(scenario, pull, before + 1))[^1].ShouldContain("requester_can_approve");
        scenario.GitHub.Merges().ShouldBeEmpty();
    }

    [Fact]
    public async Task Approval_on_an_old_commit_is_stale_and_merges_nothing()
    {
        var (scenario, task, pull) = await CertifiedAsync();
        await using var _ = scenario;
        var before = scenario.GitHub.Comments(pull).Count;

        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, Writer, "approved", "ec26c3e57ca3a959ca5aad62de7213c562f8c821"));

        (await RepliesAsync(scenario, pull, before + 1))[^1].ShouldContain("stale SHA");
        scenario.GitHub.Merges().ShouldBeEmpty();
        (await scenario.AuditAsync(task.Id)).ShouldContain(e => e.Kind == AuditKinds.ApprovalStale);
    }

    [Fact]
    public async Task A_push_after_an_approval_makes_it_stale_and_nothing_merges_until_the_new_head_is_certified_and_approved()
    {
        var (scenario, task, pull) = await CertifiedAsync("required_approvals: 2\n");
        await using var _ = scenario;
        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, Writer, "approved", task.HeadSha!));
        await Eventually.TrueAsync(async () => (await scenario.Host.Services.GetRequiredService<ApprovalStore>().ListAsync(task.Id, CancellationToken.None)).Count == 1, "the first approval");

        // Someone else pushes to the branch: re-certification needs the auditor again.
        scenario.ReplyVerdict("pass", 0.9);
        var pushed = scenario.Repository.Commit(TaskBranch, new Dictionary<string, string?> { ["src/extra.txt"] = "more\n" }, "A human's change");
        await scenario.Host.SendAsync("pull_request", Payloads.Synchronize(pull, pushed, "mallory"));
        await Eventually.TrueAsync(async () => (await scenario.TaskOfIssueAsync()).HeadSha == pushed && (await scenario.TaskOfIssueAsync()).State == TaskState.AwaitingApproval, "re-certified head");

        // The second approval, on the old head, does not complete the first one's count.
        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, SecondWriter, "approved", task.HeadSha!));
        await Eventually.TrueAsync(async () => (await scenario.AuditAsync(task.Id)).Count(e => e.Kind == AuditKinds.ApprovalStale) >= 2, "the stale approval recorded");
        scenario.GitHub.Merges().ShouldBeEmpty();
        scenario.GitHub.Comments(pull).ShouldContain(c => c.Contains("stale", StringComparison.Ordinal));
        PackageBody.Read(scenario.GitHub.PullRequests.Single().Body)!.HeadSha.ShouldBe(pushed);

        // Two approvals of the certified new head merge it.
        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, Writer, "approved", pushed));
        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, SecondWriter, "approved", pushed));
        await scenario.WaitForStateAsync(TaskState.Merged);
        System.Text.Json.Nodes.JsonNode.Parse(scenario.GitHub.Merges().ShouldHaveSingleItem().Body!)!["sha"]!.GetValue<string>().ShouldBe(pushed);
    }

    [Fact]
    public async Task Two_required_approvals_merge_only_after_the_second_person()
    {
        var (scenario, task, pull) = await CertifiedAsync("required_approvals: 2\n");
        await using var _ = scenario;

        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, Writer, "/approve"));
        await Eventually.TrueAsync(() => scenario.GitHub.Comments(pull).Any(c => c.Contains("1 of 2", StringComparison.Ordinal)), "one of two");
        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, Writer, "/approve"));
        // The repeated approval is recorded as repeated, never as a second accepted approval.
        await Eventually.TrueAsync(async () => (await scenario.AuditAsync(task.Id)).Any(e => e.Kind == AuditKinds.ApprovalRepeated), "the repeated approval recorded");
        (await scenario.AuditAsync(task.Id)).Count(e => e.Kind == AuditKinds.ApprovalAccepted).ShouldBe(1);
        scenario.GitHub.Merges().ShouldBeEmpty();

        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, SecondWriter, "/APPROVE"));
        await scenario.WaitForStateAsync(TaskState.Merged);
        scenario.GitHub.Merges().ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Merge_refused_with_409_is_reported_and_not_retried()
    {
        var (scenario, task, pull) = await CertifiedAsync();
        await using var _ = scenario;
        // The branch moves at the remote before GitHub tells Atom: the SHA-bound merge must fail.
        scenario.Repository.Commit(TaskBranch, new Dictionary<string, string?> { ["src/late.txt"] = "late\n" }, "Late push");

        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, Writer, "approved", task.HeadSha!));

        await Eventually.TrueAsync(() => scenario.GitHub.Comments(pull).Any(c => c.Contains("GitHub refused to merge", StringComparison.Ordinal)), "the refusal reported");
        await Eventually.QuietPeriodAsync(TimeSpan.FromSeconds(1));
        scenario.GitHub.Requests("PUT", "/repos/*/*/pulls/*/merge").ShouldHaveSingleItem().Status.ShouldBe(409);
        (await scenario.TaskOfIssueAsync()).State.ShouldBe(TaskState.AwaitingApproval);
        (await scenario.AuditAsync(task.Id)).ShouldContain(e => e.Kind == AuditKinds.MergeRefused);
    }

    [Fact]
    public async Task Revise_reworks_the_same_branch_and_posts_a_new_package()
    {
        var (scenario, task, pull) = await CertifiedAsync();
        await using var _ = scenario;
        scenario.ReplyWrite("src/greeting.txt", "hello, world\n", "Greets the world now.").ReplyVerdict("pass", 0.97);

        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, Writer, "Thanks!\n  /revise Say hello to the world.\nmore prose"));
        await Eventually.TrueAsync(async () => (await scenario.TaskOfIssueAsync()) is { Round: 1, State: TaskState.AwaitingApproval, HeadSha: not null }, "the revised package");

        scenario.Repository.Tree(TaskBranch)["src/greeting.txt"].ShouldBe("hello, world\n");
        scenario.Repository.CommitsSince(TaskBranch, "main").ShouldBe(2);
        var revised = await scenario.TaskOfIssueAsync();
        revised.HeadSha.ShouldNotBe(task.HeadSha);
        var package = PackageBody.Read(scenario.GitHub.PullRequests.ShouldHaveSingleItem().Body).ShouldNotBeNull();
        package.HeadSha.ShouldBe(revised.HeadSha);
        package.Rounds.ShouldBe(2);
        scenario.Llm.Requests.Select(r => r.LastUserText).ShouldContain(t => t.Contains("> Say hello to the world.", StringComparison.Ordinal));
        // The approval of the old head no longer counts.
        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, Writer, "approved", task.HeadSha!));
        await Eventually.TrueAsync(() => scenario.GitHub.Comments(pull).Any(c => c.Contains("stale SHA", StringComparison.Ordinal)), "stale refusal");
        scenario.GitHub.Merges().ShouldBeEmpty();
    }

    [Fact]
    public async Task Reject_closes_the_pull_request_and_keeps_the_branch()
    {
        var (scenario, _, pull) = await CertifiedAsync();
        await using var _ = scenario;

        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, Writer, "/reject not what we need"));
        var rejected = await scenario.WaitForStateAsync(TaskState.Rejected);

        rejected.StateReason.ShouldBe("not what we need");
        await Eventually.TrueAsync(() => scenario.GitHub.PullRequests.Single().State == "closed", "the pull request closed");
        scenario.GitHub.Merges().ShouldBeEmpty();
        scenario.Repository.Head(TaskBranch).ShouldNotBeNull();
    }

    [Fact]
    public async Task Retry_runs_a_failed_task_again()
    {
        await using var scenario = await AtomScenario.StartAsync();
        scenario.ReplyPlan(("Code", ["src/**"]));
        scenario.Llm.ReplyToolCall("finish", new { summary = "Nothing." });
        await scenario.Host.SendAsync("issues", scenario.Labeled());
        await scenario.WaitForStateAsync(TaskState.Failed);

        scenario.ReplyWrite("src/greeting.txt", "hello\n").ReplyVerdict();
        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(1, Writer, "/retry", onPullRequest: false));
        var task = await scenario.WaitForStateAsync(TaskState.AwaitingApproval);

        task.Round.ShouldBe(1);
        scenario.GitHub.PullRequests.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Cancel_stops_a_running_worker_and_nothing_is_pushed()
    {
        await using var scenario = await AtomScenario.StartAsync();
        scenario.ReplyPlan(("Code", ["src/**"]));
        scenario.Llm.ReplyToolCall("write_file", new { path = "src/greeting.txt", content = "hello\n" }, delay: TimeSpan.FromSeconds(2));
        scenario.Llm.ReplyToolCall("finish", new { summary = "done" });
        await scenario.Host.SendAsync("issues", scenario.Labeled());
        await scenario.Llm.WaitForRequestsAsync(2);

        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(1, Writer, "/cancel", onPullRequest: false));
        var task = await scenario.WaitForStateAsync(TaskState.Cancelled);

        await Eventually.TrueAsync(async () => (await scenario.Assignments.ListForTaskAsync(task.Id, CancellationToken.None)).All(a => a.State == AssignmentState.Cancelled), "assignments cancelled");
        await Eventually.QuietPeriodAsync(TimeSpan.FromSeconds(3));
        scenario.Repository.Head(TaskBranch).ShouldBeNull();
        scenario.GitHub.PullRequests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Status_and_help_answer_anyone()
    {
        var (scenario, task, pull) = await CertifiedAsync();
        await using var _ = scenario;
        scenario.GitHub.Permission("visitor", "none");
        var before = scenario.GitHub.Comments(1).Count;

        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(1, "visitor", "/status\n/help", onPullRequest: false));

        var replies = await RepliesAsync(scenario, 1, before + 2);
        replies.ShouldContain(r => r.Contains($"Task {task.Id}", StringComparison.Ordinal) && r.Contains("awaiting_approval", StringComparison.Ordinal) && r.Contains($"#{pull}", StringComparison.Ordinal));
        replies.ShouldContain(r => r.Contains("/revise <feedback>", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Comments_by_bots_and_by_Atom_itself_are_ignored()
    {
        var (scenario, _, pull) = await CertifiedAsync();
        await using var _ = scenario;
        var before = scenario.GitHub.Comments(pull).Count;

        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, GitHubStub.TokenLogin, "/approve"));
        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, "dependabot[bot]", "/approve", userType: "Bot"));
        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, "helper", "/status", userType: "Bot"));

        await Eventually.TrueAsync(async () => await ProcessedAsync(scenario) >= 4, "deliveries processed");
        scenario.GitHub.Comments(pull).Count.ShouldBe(before);
        scenario.GitHub.Merges().ShouldBeEmpty();
    }

    [Fact]
    public async Task The_same_approval_delivered_twice_merges_once()
    {
        var (scenario, task, pull) = await CertifiedAsync();
        await using var _ = scenario;
        var review = Payloads.Review(pull, Writer, "approved", task.HeadSha!);

        await scenario.Host.SendAsync("pull_request_review", review, deliveryId: "approval-1");
        await scenario.Host.SendAsync("pull_request_review", review, deliveryId: "approval-1");
        await scenario.WaitForStateAsync(TaskState.Merged);
        await Eventually.QuietPeriodAsync(TimeSpan.FromSeconds(1));

        scenario.GitHub.Requests("PUT", "/repos/*/*/pulls/*/merge").ShouldHaveSingleItem();
    }

    [Fact]
    public async Task A_human_merge_is_recorded_as_that_persons_approval()
    {
        var (scenario, task, pull) = await CertifiedAsync();
        await using var _ = scenario;

        await scenario.Host.SendAsync("pull_request", Payloads.PullRequestClosed(pull, merged: true, by: Writer, headSha: task.HeadSha!));
        await scenario.WaitForStateAsync(TaskState.Merged);

        var approval = (await scenario.Host.Services.GetRequiredService<ApprovalStore>().ListAsync(task.Id, CancellationToken.None)).ShouldHaveSingleItem();
        approval.Login.ShouldBe(Writer);
        approval.Source.ShouldBe(ApprovalSource.Merge);
        approval.Sha.ShouldBe(task.HeadSha);
        scenario.GitHub.Merges().ShouldBeEmpty();
    }

    [Fact]
    public async Task Without_merge_on_approval_an_approval_labels_and_sets_a_status_but_does_not_merge()
    {
        var (scenario, task, pull) = await CertifiedAsync("merge_on_approval: false\n");
        await using var _ = scenario;

        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, Writer, "/approve"));

        await Eventually.TrueAsync(() => scenario.GitHub.Labels(pull).Contains("atom:approved"), "the approved label");
        scenario.GitHub.Statuses().ShouldContain(s => s["context"]!.GetValue<string>() == "atom/approval" && s["state"]!.GetValue<string>() == "success");
        scenario.GitHub.Requests("PUT", "/repos/*/*/pulls/*/merge").ShouldBeEmpty();
        (await scenario.TaskOfIssueAsync()).State.ShouldBe(TaskState.AwaitingApproval);
    }

    private static async Task<long> ProcessedAsync(AtomScenario scenario)
    {
        await using var connection = await scenario.Host.Database.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM deliveries WHERE processed_at IS NOT NULL";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
