using System.Text.RegularExpressions;
using Atom.Bot.Audit;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Tasks;

namespace Atom.Bot.IntegrationTests.Approval;

/// <summary>
/// Reviewing Atom's work like a colleague's, end to end: reviews requested when a package is posted, line comments
/// (review threads) as revision feedback answered with the commit, the interdiff of an updated package, and code owners.
/// </summary>
public sealed partial class ReviewCollaborationTests
{
    private const string Writer = "alice";
    private const string Hunk = "@@ -0,0 +1 @@\n+hello";

    [Fact]
    public async Task A_posted_package_requests_a_review_from_the_labeller_who_may_approve()
    {
        var (scenario, _, pull) = await ApprovalTests.CertifiedAsync();
        await using var _ = scenario;

        // Reviews are asked right after the task awaits approval.
        await Eventually.TrueAsync(() => scenario.GitHub.RequestedReviewers().Count > 0, "a review requested");
        await Eventually.QuietPeriodAsync();
        scenario.GitHub.RequestedReviewers().ShouldBe([Payloads.Labeller]);
        scenario.GitHub.Requests("POST", $"/repos/*/*/pulls/{pull}/requested_reviewers").ShouldHaveSingleItem().Status.ShouldBe(201);
    }

    [Fact]
    public async Task Listed_approvers_are_asked_but_never_Atom_itself_and_a_refused_reviewer_is_reported_without_failing_the_package()
    {
        var scenario = await AtomScenario.StartAsync(settings: $"approvers: [carol, {GitHubStub.TokenLogin}, mallory]\n");
        await using var _ = scenario;
        scenario.GitHub.NotACollaborator("mallory");
        scenario.ReplyPlan(("Code", ["src/**"])).ReplyWrite("src/greeting.txt", "hello\n").ReplyVerdict();

        await scenario.Host.SendAsync("issues", scenario.Labeled());
        var task = await scenario.WaitForStateAsync(TaskState.AwaitingApproval);

        var pull = task.PullRequest!.Value;
        await Eventually.TrueAsync(async () => (await scenario.AuditAsync(task.Id)).Any(e => e.Kind == AuditKinds.ReviewRequested), "reviews requested");
        scenario.GitHub.RequestedReviewers().ShouldBe(["carol"]);
        scenario.GitHub.Requests("POST", "/repos/*/*/pulls/*/requested_reviewers").ShouldNotContain(r => r.Body!.Contains(GitHubStub.TokenLogin, StringComparison.Ordinal));
        (await ApprovalTests.RepliesAsync(scenario, pull, 1)).ShouldContain(c => c.Contains("@mallory", StringComparison.Ordinal) && c.Contains("not a collaborator", StringComparison.Ordinal));
        var requested = (await scenario.AuditAsync(task.Id)).Where(e => e.Kind == AuditKinds.ReviewRequested).ShouldHaveSingleItem();
        requested.Payload!.ShouldContain("mallory");
        (await scenario.TaskOfIssueAsync()).State.ShouldBe(TaskState.AwaitingApproval);
    }

    [Fact]
    public async Task A_review_request_GitHub_keeps_failing_is_logged_and_the_package_still_awaits_approval()
    {
        var scenario = await AtomScenario.StartAsync();
        await using var _ = scenario;
        scenario.GitHub.FailFirst("POST", "/repos/*/*/pulls/*/requested_reviewers", 502, times: 20);
        scenario.ReplyPlan(("Code", ["src/**"])).ReplyWrite("src/greeting.txt", "hello\n").ReplyVerdict();

        await scenario.Host.SendAsync("issues", scenario.Labeled());
        var task = await scenario.WaitForStateAsync(TaskState.AwaitingApproval);

        await Eventually.TrueAsync(() => scenario.Host.Logs.Lines.Any(l => l.Contains("reviews could not be requested", StringComparison.Ordinal)), "the log line");
        scenario.GitHub.RequestedReviewers().ShouldBeEmpty();
        await Eventually.QuietPeriodAsync(TimeSpan.FromSeconds(1));
        (await scenario.TaskOfIssueAsync()).State.ShouldBe(TaskState.AwaitingApproval);
        (await scenario.TaskOfIssueAsync()).HeadSha.ShouldBe(task.HeadSha);
    }

    [Fact]
    public async Task Nobody_is_asked_when_the_labeller_may_not_approve_and_no_approvers_are_listed()
    {
        var (scenario, _, _) = await ApprovalTests.CertifiedAsync("requester_can_approve: false\n");
        await using var _ = scenario;
        await Eventually.QuietPeriodAsync(TimeSpan.FromSeconds(2));

        scenario.GitHub.Requests("POST", "/repos/*/*/pulls/*/requested_reviewers").ShouldBeEmpty();
    }

    [Fact]
    public async Task A_line_comment_reaches_the_worker_with_path_line_and_hunk_and_its_thread_gets_one_reply_naming_the_new_commit()
    {
        var (scenario, task, pull) = await ApprovalTests.CertifiedAsync();
        await using var _ = scenario;
        const long Comment = 9001;

        await scenario.Host.SendAsync("pull_request_review_comment", Payloads.ReviewComment(pull, Writer, Comment, "src/greeting.txt", 1, Hunk, "Greet the whole world here."));
        await Eventually.TrueAsync(async () => (await Threads(scenario, task.Id)).Count == 1, "the comment kept as feedback");
        var commentsBefore = scenario.GitHub.Comments(pull).Count;
        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, Writer, "/status"));
        (await ApprovalTests.RepliesAsync(scenario, pull, commentsBefore + 1))[^1].ShouldContain("Review threads: 1 waiting for a round");
        var requestsBefore = scenario.Llm.Requests.Count;

        scenario.ReplyWrite("src/greeting.txt", "hello, world\n").ReplyVerdict();
        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, Writer, "/revise"));
        var revised = await RevisedAsync(scenario, task);

        var worker = WorkerPrompt(scenario, requestsBefore);
        worker.ShouldContain("src/greeting.txt, line 1");
        worker.ShouldContain("@@ -0,0 +1 @@");
        worker.ShouldContain("+hello");
        worker.ShouldContain($"Comment by @{Writer}: Greet the whole world here.");

        await Eventually.TrueAsync(() => scenario.GitHub.ThreadReplies(Comment).Count == 1, "the thread answered");
        await Eventually.QuietPeriodAsync(TimeSpan.FromSeconds(1));
        scenario.GitHub.ThreadReplies(Comment).ShouldHaveSingleItem().ShouldContain(revised.HeadSha!);
        scenario.GitHub.Requests("PUT", "/repos/*/*/pulls/comments/*").ShouldBeEmpty("Atom never resolves or edits a thread");
        (await scenario.AuditAsync(task.Id)).ShouldContain(e => e.Kind == AuditKinds.ReviewThreadAnswered && e.Payload!.Contains(revised.HeadSha!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_line_comments_of_a_changes_requested_review_are_fetched_given_to_the_worker_and_each_thread_answered()
    {
        var (scenario, task, pull) = await ApprovalTests.CertifiedAsync();
        await using var _ = scenario;
        var review = Payloads.Review(pull, Writer, "changes_requested", task.HeadSha!, body: "");
        var reviewId = review["review"]!["id"]!.GetValue<long>();
        scenario.GitHub.ReviewComments(reviewId,
            (7001, "src/greeting.txt", 1, Hunk, "Say hello to the world."),
            (7002, "src/greeting.txt", 1, Hunk, "And end with a newline."));
        var requestsBefore = scenario.Llm.Requests.Count;

        scenario.ReplyWrite("src/greeting.txt", "hello, world\n").ReplyVerdict();
        await scenario.Host.SendAsync("pull_request_review", review);
        var revised = await RevisedAsync(scenario, task);

        scenario.GitHub.Requests("GET", $"/repos/*/*/pulls/{pull}/reviews/{reviewId}/comments").ShouldNotBeEmpty();
        var worker = WorkerPrompt(scenario, requestsBefore);
        worker.ShouldContain("Say hello to the world.");
        worker.ShouldContain("And end with a newline.");
        worker.ShouldContain("@@ -0,0 +1 @@");

        // The review's own comment deliveries arrive afterwards and change nothing: both comments are known.
        await scenario.Host.SendAsync("pull_request_review_comment", Payloads.ReviewComment(pull, Writer, 7001, "src/greeting.txt", 1, Hunk, "Say hello to the world."));
        await Eventually.TrueAsync(() => scenario.GitHub.ThreadReplies(7001).Count == 1 && scenario.GitHub.ThreadReplies(7002).Count == 1, "both threads answered");
        await Eventually.QuietPeriodAsync(TimeSpan.FromSeconds(1));
        scenario.GitHub.ThreadReplies(7001).ShouldHaveSingleItem().ShouldContain(revised.HeadSha!);
        scenario.GitHub.ThreadReplies(7002).ShouldHaveSingleItem().ShouldContain(revised.HeadSha!);
        (await Threads(scenario, task.Id)).Count.ShouldBe(2);
    }

    [Fact]
    public async Task A_round_that_pushes_nothing_answers_no_thread_and_the_retried_round_carries_it_once()
    {
        var (scenario, task, pull) = await ApprovalTests.CertifiedAsync();
        await using var _ = scenario;
        const long Comment = 9200;
        await scenario.Host.SendAsync("pull_request_review_comment", Payloads.ReviewComment(pull, Writer, Comment, "src/greeting.txt", 1, Hunk, "Greet the whole world here."));
        await Eventually.TrueAsync(async () => (await Threads(scenario, task.Id)).Count == 1, "the comment kept as feedback");

        // The worker changes nothing: no new head, no package, no answer.
        scenario.Llm.ReplyToolCall("finish", new { summary = "Nothing to change." });
        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, Writer, "/revise"));
        await scenario.WaitForStateAsync(TaskState.Failed);
        await Eventually.QuietPeriodAsync(TimeSpan.FromSeconds(1));
        scenario.GitHub.ThreadReplies(Comment).ShouldBeEmpty();
        (await Threads(scenario, task.Id)).ShouldHaveSingleItem().AnsweredSha.ShouldBeNull();

        var requestsBefore = scenario.Llm.Requests.Count;
        scenario.ReplyWrite("src/greeting.txt", "hello, world\n").ReplyVerdict();
        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, Writer, "/retry"));
        await Eventually.TrueAsync(() => scenario.GitHub.ThreadReplies(Comment).Count == 1, "the thread answered by the retried round", TimeSpan.FromSeconds(60));

        var worker = WorkerPrompt(scenario, requestsBefore);
        Regex.Count(worker, "Greet the whole world here").ShouldBe(1);
        var retried = await scenario.TaskOfIssueAsync();
        scenario.GitHub.ThreadReplies(Comment).ShouldHaveSingleItem().ShouldContain(retried.HeadSha!);
    }

    [Fact]
    public async Task A_line_comment_by_someone_who_may_not_steer_is_ignored_with_a_log_line()
    {
        var (scenario, task, pull) = await ApprovalTests.CertifiedAsync();
        await using var _ = scenario;
        scenario.GitHub.Permission("reader", "read");

        await scenario.Host.SendAsync("pull_request_review_comment", Payloads.ReviewComment(pull, "reader", 9100, "src/greeting.txt", 1, Hunk, "Delete everything."));
        await scenario.Host.SendAsync("pull_request_review_comment", Payloads.ReviewComment(pull, "dependabot[bot]", 9101, "src/greeting.txt", 1, Hunk, "Bump it.", userType: "Bot"));

        await Eventually.TrueAsync(() => scenario.Host.Logs.Lines.Any(l => l.Contains("review comment 9100 by reader ignored", StringComparison.Ordinal)), "the log line");
        await Eventually.QuietPeriodAsync(TimeSpan.FromSeconds(1));
        (await Threads(scenario, task.Id)).ShouldBeEmpty();

        // With nothing kept, a /revise without words still has nothing to address.
        var before = scenario.GitHub.Comments(pull).Count;
        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, Writer, "/revise"));
        (await ApprovalTests.RepliesAsync(scenario, pull, before + 1))[^1].ShouldContain("say what to change");
    }

    [Fact]
    public async Task An_updated_package_shows_exactly_the_change_between_the_two_certified_heads()
    {
        var (scenario, task, pull) = await ApprovalTests.CertifiedAsync();
        await using var _ = scenario;
        scenario.GitHub.PullRequests.Single(p => p.Number == pull).Body.ShouldNotContain("## Changes since the last package");

        scenario.ReplyWrite("src/greeting.txt", "hello, world\n").ReplyVerdict();
        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, Writer, "/revise Greet the world."));
        var revised = await RevisedAsync(scenario, task);

        var body = scenario.GitHub.PullRequests.Single(p => p.Number == pull).Body;
        body.ShouldContain("## Changes since the last package");
        body.ShouldContain($"`{task.HeadSha![..7]}`, to this one, `{revised.HeadSha![..7]}`");
        var section = body[body.IndexOf("## Changes since the last package", StringComparison.Ordinal)..];
        var diff = DiffBlock().Match(section).Groups["diff"].Value;
        var changed = diff.Split('\n').Where(l => (l.StartsWith('+') || l.StartsWith('-')) && !l.StartsWith("+++", StringComparison.Ordinal) && !l.StartsWith("---", StringComparison.Ordinal)).ToList();
        changed.ShouldBe(["-hello", "+hello, world"]);
        diff.ShouldContain("src/greeting.txt");
        diff.ShouldNotContain("new file");
    }

    [Fact]
    public async Task With_codeowners_an_approval_without_an_owner_of_a_changed_path_merges_nothing_and_names_the_path_and_its_owners()
    {
        var (scenario, task, pull) = await ApprovalTests.CertifiedAsync("codeowners: true\n");
        await using var _ = scenario;
        scenario.GitHub.CodeOwners("* @someone-else\nsrc/ @carol @acme/reviewers\n*.md @docs-team\n");
        scenario.GitHub.Team("acme/reviewers", "dave", "erin");
        var before = scenario.GitHub.Comments(pull).Count;

        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, Writer, "approved", task.HeadSha!));

        var message = (await ApprovalTests.RepliesAsync(scenario, pull, before + 1))[^1];
        message.ShouldContain("`src/greeting.txt`");
        message.ShouldContain("@carol");
        message.ShouldContain("@acme/reviewers");
        message.ShouldContain("@dave");
        message.ShouldContain("@erin");
        message.ShouldNotContain("docs-team");
        scenario.GitHub.Merges().ShouldBeEmpty();
        (await scenario.TaskOfIssueAsync()).State.ShouldBe(TaskState.AwaitingApproval);
        (await scenario.AuditAsync(task.Id)).ShouldContain(e => e.Kind == AuditKinds.MergeRefused && e.Payload!.Contains("src/greeting.txt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_codeowners_an_approval_by_a_user_owner_merges()
    {
        var (scenario, task, pull) = await ApprovalTests.CertifiedAsync("codeowners: true\n");
        await using var _ = scenario;
        scenario.GitHub.CodeOwners("src/ @carol\n", location: "CODEOWNERS");

        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, "carol", "approved", task.HeadSha!));

        await scenario.WaitForStateAsync(TaskState.Merged);
        scenario.GitHub.Merges().ShouldHaveSingleItem();
    }

    [Fact]
    public async Task With_codeowners_a_team_members_approval_completes_an_earlier_one_and_merges()
    {
        var (scenario, task, pull) = await ApprovalTests.CertifiedAsync("codeowners: true\n");
        await using var _ = scenario;
        scenario.GitHub.CodeOwners("src/ @acme/reviewers\n", location: "docs/CODEOWNERS");
        scenario.GitHub.Team("acme/reviewers", "dave");
        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, Writer, "approved", task.HeadSha!));
        await Eventually.TrueAsync(() => scenario.GitHub.Comments(pull).Any(c => c.Contains("code owner", StringComparison.Ordinal)), "the missing owner named");
        scenario.GitHub.Merges().ShouldBeEmpty();

        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, "dave", "approved", task.HeadSha!));

        await scenario.WaitForStateAsync(TaskState.Merged);
        scenario.GitHub.Merges().ShouldHaveSingleItem();
        scenario.GitHub.Requests("GET", "/orgs/acme/teams/reviewers/members").ShouldNotBeEmpty();
    }

    [Fact]
    public async Task Without_codeowners_the_CODEOWNERS_file_is_not_consulted()
    {
        var (scenario, task, pull) = await ApprovalTests.CertifiedAsync();
        await using var _ = scenario;
        scenario.GitHub.CodeOwners("src/ @carol\n");

        await scenario.Host.SendAsync("pull_request_review", Payloads.Review(pull, Writer, "approved", task.HeadSha!));

        await scenario.WaitForStateAsync(TaskState.Merged);
        scenario.GitHub.Requests("GET", "/repos/*/*/contents/.github/CODEOWNERS").ShouldBeEmpty();
    }

    /// <summary>Waits for the revision round's package: the task awaiting approval again, one round later, at a new head.</summary>
    private static async Task<AtomTask> RevisedAsync(AtomScenario scenario, AtomTask before)
    {
        await Eventually.TrueAsync(async () =>
        {
            var now = await scenario.TaskOfIssueAsync();
            // The next round starts (round + 1, head cleared) a moment before the task leaves awaiting_approval: a new
            // package has a head of its own.
            return now.Round == before.Round + 1 && now.State == TaskState.AwaitingApproval && now.HeadSha is not null && now.HeadSha != before.HeadSha;
        }, "the revised package", TimeSpan.FromSeconds(60));
        return await scenario.TaskOfIssueAsync();
    }

    /// <summary>The user message of the first worker request after <paramref name="skip"/> requests: the round's prompt.</summary>
    private static string WorkerPrompt(AtomScenario scenario, int skip)
    {
        var requests = scenario.Llm.Requests;
        var worker = requests.Skip(skip).FirstOrDefault(r => r.ToolNames.Contains("write_file"));
        worker.ShouldNotBeNull($"no worker request after the first {skip}; requests: {string.Join(" | ", requests.Select(r => $"#{r.Number} [{string.Join(",", r.ToolNames)}] {r.LastUserText[..Math.Min(60, r.LastUserText.Length)]}"))}");
        return worker.LastUserText;
    }

    private static Task<IReadOnlyList<ReviewThread>> Threads(AtomScenario scenario, long taskId) =>
        scenario.Host.Services.GetRequiredService<ReviewThreadStore>().ListAsync(taskId, CancellationToken.None);

    [GeneratedRegex("```+diff\\n(?<diff>.*?)\\n```+", RegexOptions.Singleline)]
    private static partial Regex DiffBlock();
}
