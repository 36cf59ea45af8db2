using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Atom.Bot.Approval;
using Atom.Bot.Audit;
using Atom.Bot.Certification;
using Atom.Bot.Git;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Tasks;

namespace Atom.Bot.IntegrationTests.Approval;

/// <summary>
/// Approvals fail closed and bind to people (numeric ids) and moments (the certified head and when it was certified), end
/// to end through webhooks: each test shows an approval that must not merge, and that it would have merged otherwise.
/// </summary>
public sealed class ApprovalBoundaryTests
{
    private const string Writer = "alice";
    private const string SecondWriter = "bob";

    private static Task<(AtomScenario Scenario, AtomTask Task, int Pull)> CertifiedAsync(string? settings = null) => ApprovalTests.CertifiedAsync(settings);

    private static async Task<string> NextReplyAsync(AtomScenario scenario, int pull, int before) =>
        (await ApprovalTests.RepliesAsync(scenario, pull, before + 1))[^1];

    private static async Task<JsonNode> AuditPayloadAsync(AtomScenario scenario, long taskId, string kind)
    {
        await Eventually.TrueAsync(async () => (await scenario.AuditAsync(taskId)).Any(e => e.Kind == kind), kind);
        return JsonNode.Parse((await scenario.AuditAsync(taskId)).Last(e => e.Kind == kind).Payload!)!;
    }

    private static Task<IReadOnlyList<ApprovalRecord>> ApprovalsAsync(AtomScenario scenario, long taskId) =>
        scenario.Host.Services.GetRequiredService<ApprovalStore>().ListAsync(taskId, CancellationToken.None);

    [Fact]
    public async Task Approve_under_an_invalid_atom_yml_is_refused_quoting_the_error_and_never_falls_back_to_the_defaults()
    {
        var (scenario, task, pull) = await CertifiedAsync();
        await using var _ = scenario;
        scenario.GitHub.Settings("required_approvals: 0\n");
        var before = scenario.GitHub.Comments(pull).Count;

        // With the defaults (one approval by a writer) this would merge.
        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, Writer, "/approve"));

        var reply = await NextReplyAsync(scenario, pull, before);
        reply.ShouldContain("never falls back to defaults");
        reply.ShouldContain("```text\n");
        reply.ShouldContain("required_approvals");
        var refusal = await AuditPayloadAsync(scenario, task.Id, AuditKinds.ApprovalRefused);
        refusal["error"]!.GetValue<string>().ShouldContain("required_approvals");
        await Eventually.QuietPeriodAsync(TimeSpan.FromSeconds(1));
        scenario.GitHub.Merges().ShouldBeEmpty();
        (await ApprovalsAsync(scenario, task.Id)).ShouldBeEmpty();
        (await scenario.TaskOfIssueAsync()).State.ShouldBe(TaskState.AwaitingApproval);
    }

    [Fact]
    public async Task Approve_while_GitHub_cannot_serve_the_settings_is_refused_not_decided_on_defaults()
    {
        var (scenario, task, pull) = await CertifiedAsync();
        await using var _ = scenario;
        scenario.GitHub.FailFirst("GET", "/repos/*/*/contents/.github*atom.yml", 502, times: 50);
        var before = scenario.GitHub.Comments(pull).Count;

        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, Writer, "approved", task.HeadSha!));

        (await NextReplyAsync(scenario, pull, before)).ShouldContain("GitHub could not be read (502)");
        scenario.GitHub.Merges().ShouldBeEmpty();
        (await ApprovalsAsync(scenario, task.Id)).ShouldBeEmpty();
    }

    [Fact]
    public async Task An_approvers_login_entry_matches_only_the_account_that_had_it_not_a_renamed_or_re_registered_one()
    {
        var (scenario, task, pull) = await CertifiedAsync("approvers: [carol]\nrequired_approvals: 2\n");
        await using var _ = scenario;
        var carol = TestAccounts.UserId("carol");
        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, "carol", "/approve"));
        await Eventually.TrueAsync(() => scenario.GitHub.Comments(pull).Any(c => c.Contains("1 of 2", StringComparison.Ordinal)), "carol's approval");

        // carol renames her account; someone else registers the freed login "carol".
        scenario.GitHub.Account("carol-renamed", carol);
        scenario.GitHub.Account("carol", 77_000_001);
        var before = scenario.GitHub.Comments(pull).Count;
        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, "carol", "/approve", userId: 77_000_001));
        (await NextReplyAsync(scenario, pull, before)).ShouldContain("not an approver");
        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, "carol-renamed", "/approve", userId: carol));
        (await NextReplyAsync(scenario, pull, before + 1)).ShouldContain("not an approver");

        scenario.GitHub.Merges().ShouldBeEmpty();
        (await ApprovalsAsync(scenario, task.Id)).ShouldHaveSingleItem().UserId.ShouldBe(carol);
        // The list can name the account itself, which no rename changes.
        scenario.GitHub.Settings($"approvers: [carol, 'id:{carol}']\nrequired_approvals: 1\n");
        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, "carol-renamed", "/approve", userId: carol));
        await scenario.WaitForStateAsync(TaskState.Merged);
    }

    [Fact]
    public async Task One_person_under_two_logins_counts_once_towards_required_approvals()
    {
        var (scenario, task, pull) = await CertifiedAsync("required_approvals: 2\n");
        await using var _ = scenario;
        var alice = TestAccounts.UserId(Writer);
        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, Writer, "/approve"));
        await Eventually.TrueAsync(() => scenario.GitHub.Comments(pull).Count(c => c.Contains("1 of 2", StringComparison.Ordinal)) == 1, "the first approval");

        // alice renames her account and approves again under the new login.
        scenario.GitHub.Account("alice-renamed", alice);
        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, "alice-renamed", "approved", task.HeadSha!, userId: alice));
        await Eventually.TrueAsync(() => scenario.GitHub.Comments(pull).Count(c => c.Contains("1 of 2", StringComparison.Ordinal)) == 2, "still one of two");
        (await scenario.AuditAsync(task.Id)).Count(e => e.Kind == AuditKinds.ApprovalAccepted).ShouldBe(1);
        (await scenario.AuditAsync(task.Id)).ShouldContain(e => e.Kind == AuditKinds.ApprovalRepeated);
        scenario.GitHub.Merges().ShouldBeEmpty();

        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, SecondWriter, "/approve"));
        await scenario.WaitForStateAsync(TaskState.Merged);
    }

    [Fact]
    public async Task The_requester_is_known_by_id_so_a_rename_does_not_get_around_requester_can_approve()
    {
        var (scenario, task, pull) = await CertifiedAsync("requester_can_approve: false\n");
        await using var _ = scenario;
        task.RequestedById.ShouldBe(TestAccounts.UserId(Payloads.Labeller));
        var labeller = TestAccounts.UserId(Payloads.Labeller);
        scenario.GitHub.Account("codertocat-renamed", labeller);
        var before = scenario.GitHub.Comments(pull).Count;

        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, "codertocat-renamed", "approved", task.HeadSha!, userId: labeller));

        (await NextReplyAsync(scenario, pull, before)).ShouldContain("requester_can_approve");
        scenario.GitHub.Merges().ShouldBeEmpty();
    }

    [Fact]
    public async Task An_approve_comment_written_before_the_head_was_certified_does_not_approve_it()
    {
        var (scenario, task, pull) = await CertifiedAsync();
        await using var _ = scenario;
        task.CertifiedAt.ShouldNotBeNull();
        var before = scenario.GitHub.Comments(pull).Count;

        // Written while another head was on offer; handled only now that this head is certified.
        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, Writer, "/approve", createdAt: task.CertifiedAt.Value.AddSeconds(-30)));

        (await NextReplyAsync(scenario, pull, before)).ShouldContain("before the head");
        (await scenario.AuditAsync(task.Id)).ShouldContain(e => e.Kind == AuditKinds.ApprovalStale);
        scenario.GitHub.Merges().ShouldBeEmpty();
        (await ApprovalsAsync(scenario, task.Id)).ShouldBeEmpty();

        // The same person writing after the certification approves it.
        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, Writer, "/approve"));
        await scenario.WaitForStateAsync(TaskState.Merged);
    }

    [Fact]
    public async Task A_dismissed_review_withdraws_its_approval()
    {
        var (scenario, task, pull) = await CertifiedAsync("required_approvals: 2\n");
        await using var _ = scenario;
        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, Writer, "approved", task.HeadSha!));
        await Eventually.TrueAsync(async () => (await ApprovalsAsync(scenario, task.Id)).Count == 1, "alice's approval");

        await scenario.Host.SendAsync("pull_request_review", Payloads.ReviewDismissed(pull, Writer, task.HeadSha!, "carol"));
        var withdrawn = await AuditPayloadAsync(scenario, task.Id, AuditKinds.ApprovalWithdrawn);
        withdrawn["withdrawn"]!.GetValue<int>().ShouldBe(1);
        await Eventually.TrueAsync(() => scenario.GitHub.Comments(pull).Any(c => c.Contains("withdrawn", StringComparison.Ordinal)), "the withdrawal said");

        // Without the withdrawal this second approval would merge.
        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, SecondWriter, "approved", task.HeadSha!));
        await Eventually.TrueAsync(() => scenario.GitHub.Comments(pull).Count(c => c.Contains("1 of 2", StringComparison.Ordinal)) == 2, "one of two after the dismissal");
        scenario.GitHub.Merges().ShouldBeEmpty();
        (await ApprovalsAsync(scenario, task.Id)).ShouldContain(a => a.Login == Writer && a.Withdrawn);

        // A new approving review by alice counts again.
        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, Writer, "approved", task.HeadSha!));
        await scenario.WaitForStateAsync(TaskState.Merged);
    }

    [Fact]
    public async Task An_approver_who_lost_write_permission_before_the_merge_does_not_count()
    {
        var (scenario, task, pull) = await CertifiedAsync("required_approvals: 2\n");
        await using var _ = scenario;
        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, Writer, "approved", task.HeadSha!));
        await Eventually.TrueAsync(() => scenario.GitHub.Comments(pull).Any(c => c.Contains("1 of 2", StringComparison.Ordinal)), "alice's approval");

        // Within the permission cache's minute, alice loses write access; bob's approval completes the count.
        scenario.GitHub.Permission(Writer, "read");
        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, SecondWriter, "approved", task.HeadSha!));

        var refused = await AuditPayloadAsync(scenario, task.Id, AuditKinds.MergeRefused);
        refused["noLongerCounted"]!.AsArray().ShouldHaveSingleItem()!["login"]!.GetValue<string>().ShouldBe(Writer);
        await Eventually.TrueAsync(() => scenario.GitHub.Comments(pull).Any(c => c.Contains($"@{Writer}: they are no longer an approver", StringComparison.Ordinal)), "who no longer counts, said");
        scenario.GitHub.Requests("PUT", "/repos/*/*/pulls/*/merge").ShouldBeEmpty();
        (await scenario.TaskOfIssueAsync()).State.ShouldBe(TaskState.AwaitingApproval);
    }

    [Fact]
    public async Task Atom_merges_only_its_own_pull_request_from_its_branch_in_this_repository_into_the_default_branch()
    {
        var (scenario, task, pull) = await CertifiedAsync();
        await using var _ = scenario;
        var refusals = 0;
        async Task RefusedAsync(string reviewer, string expected)
        {
            await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, reviewer, "approved", task.HeadSha!));
            refusals++;
            await Eventually.TrueAsync(async () => (await scenario.AuditAsync(task.Id)).Count(e => e.Kind == AuditKinds.MergeRefused) == refusals, $"refusal {refusals}");
            await Eventually.TrueAsync(() => scenario.GitHub.Comments(pull).Any(c => c.Contains(expected, StringComparison.Ordinal)), expected);
            scenario.GitHub.Requests("PUT", "/repos/*/*/pulls/*/merge").ShouldBeEmpty();
        }

        scenario.GitHub.ChangePullRequest(pull, p => p with { Base = "release" });
        await RefusedAsync("alice", "not the default branch `main`");
        scenario.GitHub.ChangePullRequest(pull, p => p with { Base = "main", HeadRepositoryId = 999_999 });
        await RefusedAsync("bob", "another repository (a fork)");
        scenario.GitHub.ChangePullRequest(pull, p => p with { HeadRepositoryId = null, Author = "mallory" });
        await RefusedAsync("carol", "opened by @mallory, not by Atom");

        scenario.GitHub.ChangePullRequest(pull, p => p with { Author = GitHubStub.TokenLogin });
        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, "dave", "approved", task.HeadSha!));
        await scenario.WaitForStateAsync(TaskState.Merged);
    }

    [Fact]
    public async Task As_a_GitHub_App_Atom_merges_only_a_pull_request_its_own_app_opened()
    {
        var key = Path.Combine(Path.GetTempPath(), $"atom-app-{Guid.NewGuid():N}.pem");
        using (var rsa = RSA.Create(2048))
        {
            await File.WriteAllTextAsync(key, rsa.ExportRSAPrivateKeyPem());
        }

        try
        {
            await using var scenario = await AtomScenario.StartAsync(environment: new Dictionary<string, string?>
            {
                ["ATOM_GITHUB_APP_ID"] = "1",
                ["ATOM_GITHUB_APP_PRIVATE_KEY_PATH"] = key,
            });
            scenario.GitHub.AsApp = true;
            scenario.ReplyPlan(("Code", ["src/**"])).ReplyWrite("src/greeting.txt", "hello\n").ReplyVerdict();
            await scenario.Host.SendAsync("issues", scenario.Labeled(installationId: 4242));
            var task = await scenario.WaitForStateAsync(TaskState.AwaitingApproval);
            var pull = task.PullRequest!.Value;

            // Another App's bot is not Atom, though it is a bot too.
            scenario.GitHub.ChangePullRequest(pull, p => p with { Author = "other-app[bot]" });
            await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, Writer, "approved", task.HeadSha!));
            await Eventually.TrueAsync(() => scenario.GitHub.Comments(pull).Any(c => c.Contains("opened by @other-app[bot], not by Atom", StringComparison.Ordinal)), "the refusal");
            scenario.GitHub.Requests("PUT", "/repos/*/*/pulls/*/merge").ShouldBeEmpty();

            scenario.GitHub.ChangePullRequest(pull, p => p with { Author = $"{GitHubStub.AppSlug}[bot]" });
            await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, SecondWriter, "approved", task.HeadSha!));
            await scenario.WaitForStateAsync(TaskState.Merged);
            scenario.GitHub.Requests("GET", "/app").ShouldNotBeEmpty();
        }
        finally
        {
            File.Delete(key);
        }
    }

    [Fact]
    public async Task A_task_branch_that_already_exists_at_the_remote_is_not_adopted()
    {
        await using var scenario = await AtomScenario.StartAsync();
        var foreign = scenario.Repository.Commit(ApprovalTests.TaskBranch, new Dictionary<string, string?> { ["src/planted.txt"] = "not Atom's\n" }, "Planted", from: "main");
        scenario.ReplyPlan(("Code", ["src/**"])).ReplyWrite("src/greeting.txt", "hello\n").ReplyVerdict();

        await scenario.Host.SendAsync("issues", scenario.Labeled());
        var task = await scenario.WaitForStateAsync(TaskState.AwaitingApproval);

        task.Branch.ShouldBe($"{ApprovalTests.TaskBranch}-t{task.Id}");
        scenario.Repository.Head(ApprovalTests.TaskBranch).ShouldBe(foreign);
        scenario.Repository.Tree(task.Branch!).ShouldNotContainKey("src/planted.txt");
        scenario.GitHub.PullRequests.ShouldHaveSingleItem().Head.ShouldBe(task.Branch);
        var notAdopted = await AuditPayloadAsync(scenario, task.Id, AuditKinds.BranchNotAdopted);
        notAdopted["existing"]!.AsArray().ShouldHaveSingleItem()!["head"]!.GetValue<string>().ShouldBe(foreign);
    }

    [Fact]
    public async Task A_pull_request_someone_else_opened_from_Atoms_branch_is_not_adopted()
    {
        await using var scenario = await AtomScenario.StartAsync();
        var (owner, name) = (Payloads.Repository.Split('/')[0], Payloads.Repository.Split('/')[1]);
        var planted = scenario.GitHub.OpenPullRequestBy("mallory", owner, name, ApprovalTests.TaskBranch, "mallory's text");
        scenario.ReplyPlan(("Code", ["src/**"])).ReplyWrite("src/greeting.txt", "hello\n").ReplyVerdict();

        await scenario.Host.SendAsync("issues", scenario.Labeled());
        var failed = await scenario.WaitForStateAsync(TaskState.Failed);

        failed.StateReason.ShouldNotBeNull().ShouldContain($"#{planted.Number}");
        failed.StateReason.ShouldContain("opened by @mallory, not by Atom");
        failed.PullRequest.ShouldBeNull();
        var pullRequest = scenario.GitHub.PullRequests.ShouldHaveSingleItem();
        pullRequest.Body.ShouldBe("mallory's text");
        scenario.GitHub.Requests("PATCH", $"/repos/*/*/pulls/{planted.Number}").ShouldBeEmpty();
        scenario.GitHub.Requests("POST", "/repos/*/*/pulls").ShouldBeEmpty();
        var notAdopted = await AuditPayloadAsync(scenario, failed.Id, AuditKinds.PullRequestNotAdopted);
        notAdopted["author"]!.GetValue<string>().ShouldBe("mallory");
    }

    [Fact]
    public async Task A_push_landing_during_the_evaluation_is_not_what_gets_certified_and_is_certified_next()
    {
        await using var scenario = await AtomScenario.StartAsync(settings: "test_command: sleep 3\n");
        scenario.ReplyPlan(("Code", ["src/**"])).ReplyWrite("src/greeting.txt", "hello\n").ReplyVerdict().ReplyVerdict();
        await scenario.Host.SendAsync("issues", scenario.Labeled());

        // The evaluation's own worktree is the second one of the task branch (the worker's was the first); its tests run now.
        await Eventually.TrueAsync(() => scenario.Host.Logs.Lines.Count(l => l.Contains($"Worktree for {ApprovalTests.TaskBranch} at", StringComparison.Ordinal)) >= 2, "the evaluation's tests running", TimeSpan.FromSeconds(60));
        var certified = scenario.Repository.Head(ApprovalTests.TaskBranch)!;
        var pushed = scenario.Repository.Commit(ApprovalTests.TaskBranch, new Dictionary<string, string?> { ["src/late.txt"] = "late push\n" }, "A push during the evaluation");
        // Atom's mirror of the task's repository learns of it (as any other job's fetch would make it) while the tests run.
        var (owner, name) = (Payloads.Repository.Split('/')[0], Payloads.Repository.Split('/')[1]);
        await scenario.Host.Services.GetRequiredService<GitWorkspace>().FetchAsync(new RepositoryRef(owner, name, scenario.CloneUrl), null, CancellationToken.None);

        // The package certifies the pinned commit; the pull request's newer head is certified next, in its own package.
        await Eventually.TrueAsync(async () => (await scenario.Tasks.ListRecentAsync(5, CancellationToken.None)).Any(t => t.State == TaskState.AwaitingApproval && t.HeadSha == pushed),
            "the pushed head certified", TimeSpan.FromSeconds(60));
        var task = await scenario.TaskOfIssueAsync();
        var packages = (await scenario.AuditAsync(task.Id)).Where(e => e.Kind is AuditKinds.PackagePosted or AuditKinds.PackageUpdated).Select(e => JsonNode.Parse(e.Payload!)!["head"]!.GetValue<string>()).ToList();
        packages.ShouldBe([certified, pushed]);
        var audits = scenario.Llm.Requests.Where(r => r.Body.Contains("atom_verdict", StringComparison.Ordinal)).Select(r => r.LastUserText).ToList();
        audits.Count.ShouldBe(2);
        audits[0].ShouldContain("greeting.txt");
        audits[0].ShouldNotContain("late.txt", customMessage: "the first audit saw only the pinned commit");
        audits[1].ShouldContain("late.txt");
        PackageBody.Read(scenario.GitHub.PullRequests.Single().Body)!.HeadSha.ShouldBe(pushed);
        scenario.GitHub.Merges().ShouldBeEmpty();
    }

    [Fact]
    public async Task A_human_merge_of_a_rejected_tasks_pull_request_is_recorded_as_an_uncertified_merge()
    {
        var (scenario, task, pull) = await CertifiedAsync();
        await using var _ = scenario;
        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, Writer, "/reject not now"));
        await scenario.WaitForStateAsync(TaskState.Rejected);

        await scenario.Host.SendAsync("pull_request", Payloads.PullRequestClosed(pull, merged: true, by: SecondWriter, headSha: task.HeadSha!));

        var merge = await AuditPayloadAsync(scenario, task.Id, AuditKinds.Merge);
        merge["certified"]!.GetValue<bool>().ShouldBeFalse();
        merge["state"]!.GetValue<string>().ShouldBe("rejected");
        merge["by"]!.GetValue<string>().ShouldBe("human");
        (await scenario.AuditAsync(task.Id)).Single(e => e.Kind == AuditKinds.Merge).Actor.ShouldBe(SecondWriter);
        (await ApprovalsAsync(scenario, task.Id)).ShouldBeEmpty();
        await Eventually.TrueAsync(async () => (await scenario.Host.Services.GetRequiredService<ExecutionReceipts>().ForTaskAsync(task.Id, CancellationToken.None)).Any(r => r.Kind == ReceiptKinds.Merge), "the merge receipt");
    }

    [Fact]
    public async Task A_merge_by_a_bot_is_recorded_but_never_as_a_human_approval()
    {
        var (scenario, task, pull) = await CertifiedAsync();
        await using var _ = scenario;

        await scenario.Host.SendAsync("pull_request", Payloads.PullRequestClosed(pull, merged: true, by: "merge-queue[bot]", headSha: task.HeadSha!, userType: "Bot"));

        await scenario.WaitForStateAsync(TaskState.Merged);
        var merge = await AuditPayloadAsync(scenario, task.Id, AuditKinds.Merge);
        merge["by"]!.GetValue<string>().ShouldBe("bot");
        merge["mergedBy"]!.GetValue<string>().ShouldBe("merge-queue[bot]");
        (await ApprovalsAsync(scenario, task.Id)).ShouldBeEmpty();
    }
}
