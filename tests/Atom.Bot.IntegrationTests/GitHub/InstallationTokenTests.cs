using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Atom.Bot.GitHub;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Tasks;

namespace Atom.Bot.IntegrationTests.GitHub;

/// <summary>Atom as a GitHub App: every installation token is asked for one repository and the permissions of one step.</summary>
public sealed class InstallationTokenTests : IDisposable
{
    private const long InstallationId = TestGitHubApp.InstallationId;
    private const long OtherRepositoryId = 1296269;
    private readonly string _keyDirectory = Directory.CreateTempSubdirectory("atom-app-key-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_keyDirectory, recursive: true);

    [Fact]
    public async Task A_task_run_as_an_app_asks_each_token_for_its_one_repository_and_the_permissions_its_step_needs()
    {
        await using var scenario = await AtomScenario.StartAsync(settings: "test_command: test -f src/greeting.txt\n", environment: TestGitHubApp.Environment(_keyDirectory));
        scenario.GitHub.AsApp = true; // the pull request is then by the App's bot user, the only author Atom merges for
        scenario.ReplyPlan(("Code", ["src/**"])).ReplyWrite("src/greeting.txt", "hello\n").ReplyVerdict();

        await scenario.Host.SendAsync("issues", TestGitHubApp.WithInstallation(scenario.Labeled()));
        var task = await scenario.WaitForStateAsync(TaskState.AwaitingApproval);
        await scenario.Host.SendAsync("pull_request_review", TestGitHubApp.WithInstallation(Payloads.Review(task.PullRequest!.Value, "alice", "approved", task.HeadSha!)));
        await scenario.WaitForStateAsync(TaskState.Merged);

        var requests = scenario.GitHub.AccessTokenRequests();
        requests.ShouldAllBe(r => r["repository_ids"]!.ToJsonString() == $"[{GitHubStub.FixtureRepositoryId}]");
        requests.ShouldAllBe(r => r["repositories"] == null);
        var asked = requests.Select(r => Permissions(r["permissions"]!.AsObject())).ToList();
        // The protection token (Administration read, for classic branch protection) is asked for before the merge and
        // refused: this installation does not have that optional permission, so Atom reads the rulesets only.
        asked.ShouldBe(
            new[] { GitHubAccess.Conversation, GitHubAccess.Read, GitHubAccess.Push, GitHubAccess.Certification, GitHubAccess.Merge, GitHubAccess.Protection }.Select(Permissions).ToList(),
            ignoreOrder: true,
            "one token per access, each asked once (cached) and with exactly its permissions");
        scenario.GitHub.IssuedTokens.Count.ShouldBe(5);
        scenario.GitHub.RequestsWithInstallationTokens().Select(r => r.Token.Sequence).Distinct().Count().ShouldBe(4, "every token but the push token (git to a local path) made REST calls");
        scenario.GitHub.RequestsBeyondTheirToken().ShouldBeEmpty();
        scenario.GitHub.Merges().ShouldHaveSingleItem();
    }

    [Fact]
    public async Task A_permission_the_installation_lacks_is_refused_like_GitHub_and_reported_clearly()
    {
        using var github = new GitHubStub();
        github.InstallationPermissions.Remove("checks");
        await using var host = await AtomTestHost.StartAsync(github, environment: TestGitHubApp.Environment(_keyDirectory));
        var credentials = host.Services.GetRequiredService<GitHubCredentials>();

        var refused = await Should.ThrowAsync<GitHubTokenRefusedException>(
            () => credentials.GetTokenAsync(InstallationId, GitHubStub.FixtureRepositoryId, GitHubAccess.Certification, Ct));

        github.Requests("POST", "/app/installations/*/access_tokens").ShouldHaveSingleItem().Status.ShouldBe(422);
        refused.Message.ShouldContain("The permissions requested are not granted to this installation.");
        refused.Message.ShouldContain("checks:write");
        refused.Message.ShouldContain(GitHubStub.FixtureRepositoryId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        host.Logs.Lines.ShouldContain(l => l.Contains("[5302]", StringComparison.Ordinal) && l.Contains("not granted", StringComparison.Ordinal));
        (await credentials.GetTokenAsync(InstallationId, GitHubStub.FixtureRepositoryId, GitHubAccess.Conversation, Ct)).ShouldStartWith("ghs_");
    }

    [Fact]
    public async Task A_task_whose_installation_lacks_a_permission_fails_at_once_and_says_what_to_grant()
    {
        await using var scenario = await AtomScenario.StartAsync(settings: "test_command: test -f src/greeting.txt\n", environment: TestGitHubApp.Environment(_keyDirectory));
        scenario.GitHub.InstallationPermissions.Remove("checks"); // the package cannot be published
        scenario.ReplyPlan(("Code", ["src/**"])).ReplyWrite("src/greeting.txt", "hello\n").ReplyVerdict();

        await scenario.Host.SendAsync("issues", TestGitHubApp.WithInstallation(scenario.Labeled()));
        var task = await scenario.WaitForStateAsync(TaskState.Failed);

        task.StateReason.ShouldNotBeNull().ShouldContain("checks:write");
        await Eventually.TrueAsync(() => scenario.GitHub.Comments(1).Any(c => c.Contains("checks:write", StringComparison.Ordinal) && c.Contains("/retry", StringComparison.Ordinal)), "the failure comment");
        scenario.GitHub.PullRequests.ShouldBeEmpty();
        scenario.GitHub.Requests("POST", "/app/installations/*/access_tokens").Count(r => r.Status == 422).ShouldBe(1, "refused once, not retried by Hangfire");
    }

    [Fact]
    public async Task An_assignment_that_may_not_push_fails_with_the_reason_instead_of_being_retried()
    {
        await using var scenario = await AtomScenario.StartAsync(settings: "test_command: test -f src/greeting.txt\n", environment: TestGitHubApp.Environment(_keyDirectory));
        scenario.GitHub.InstallationPermissions["contents"] = "read"; // reading works, pushing is refused
        scenario.ReplyPlan(("Code", ["src/**"])).ReplyWrite("src/greeting.txt", "hello\n").ReplyVerdict();

        await scenario.Host.SendAsync("issues", TestGitHubApp.WithInstallation(scenario.Labeled()));
        var task = await scenario.WaitForStateAsync(TaskState.Failed);

        var assignment = (await scenario.Host.Services.GetRequiredService<AssignmentStore>().ListForTaskAsync(task.Id, Ct)).ShouldHaveSingleItem();
        assignment.State.ShouldBe(AssignmentState.Failed);
        assignment.Result!.Error.ShouldNotBeNull().ShouldContain("contents:write");
        assignment.Attempts.ShouldBe(1, "claimed once: no Hangfire retry");
        scenario.GitHub.PullRequests.ShouldBeEmpty();
    }

    [Fact]
    public async Task An_approval_Atom_may_not_act_on_is_answered_once_and_the_package_waits()
    {
        await using var scenario = await AtomScenario.StartAsync(settings: "test_command: test -f src/greeting.txt\n", environment: TestGitHubApp.Environment(_keyDirectory));
        scenario.GitHub.AsApp = true;
        scenario.ReplyPlan(("Code", ["src/**"])).ReplyWrite("src/greeting.txt", "hello\n").ReplyVerdict();
        await scenario.Host.SendAsync("issues", TestGitHubApp.WithInstallation(scenario.Labeled()));
        var task = await scenario.WaitForStateAsync(TaskState.AwaitingApproval);
        scenario.GitHub.InstallationPermissions["contents"] = "read"; // the merge token can no longer be issued

        await scenario.Host.SendAsync("issue_comment", TestGitHubApp.WithInstallation(Payloads.Comment(task.PullRequest!.Value, "alice", "/approve", createdAt: DateTimeOffset.UtcNow.AddSeconds(5))));

        await Eventually.TrueAsync(() => scenario.GitHub.Comments(task.PullRequest!.Value).Any(c => c.Contains("cannot act on `/approve`", StringComparison.Ordinal) && c.Contains("contents:write", StringComparison.Ordinal)), "the answer");
        await Eventually.QuietPeriodAsync();
        scenario.GitHub.Merges().ShouldBeEmpty();
        (await scenario.Host.Tasks.GetAsync(task.Id, Ct))!.State.ShouldBe(TaskState.AwaitingApproval);
        scenario.GitHub.Requests("POST", "/app/installations/*/access_tokens").Count(r => r.Status == 422).ShouldBe(1, "answered once, not retried by Hangfire");
    }

    [Fact]
    public async Task A_token_cached_for_one_repository_or_access_is_never_reused_for_another()
    {
        using var github = new GitHubStub();
        await using var host = await AtomTestHost.StartAsync(github, environment: TestGitHubApp.Environment(_keyDirectory));
        var credentials = host.Services.GetRequiredService<GitHubCredentials>();

        var first = await credentials.GetTokenAsync(InstallationId, GitHubStub.FixtureRepositoryId, GitHubAccess.Read, Ct);
        var again = await credentials.GetTokenAsync(InstallationId, GitHubStub.FixtureRepositoryId, GitHubAccess.Read, Ct);
        var other = await credentials.GetTokenAsync(InstallationId, OtherRepositoryId, GitHubAccess.Read, Ct);
        var push = await credentials.GetTokenAsync(InstallationId, GitHubStub.FixtureRepositoryId, GitHubAccess.Push, Ct);

        again.ShouldBe(first);
        other.ShouldNotBe(first);
        push.ShouldNotBe(first);
        var requests = github.AccessTokenRequests();
        requests.Count.ShouldBe(3);
        requests[1]["repository_ids"]!.ToJsonString().ShouldBe($"[{OtherRepositoryId}]");
        github.IssuedTokens.Single(t => t.Token == other).RepositoryIds.ShouldBe([OtherRepositoryId]);
        github.IssuedTokens.Single(t => t.Token == first).RepositoryIds.ShouldBe([GitHubStub.FixtureRepositoryId]);
    }

    [Fact]
    public async Task With_a_personal_token_no_installation_token_is_asked_for()
    {
        using var github = new GitHubStub();
        await using var host = await AtomTestHost.StartAsync(github);
        var credentials = host.Services.GetRequiredService<GitHubCredentials>();

        (await credentials.GetTokenAsync(InstallationId, GitHubStub.FixtureRepositoryId, GitHubAccess.Merge, Ct)).ShouldBe(AtomTestHost.GitHubToken);
        github.AccessTokenRequests().ShouldBeEmpty();
    }

    [Fact]
    public async Task Answering_status_asks_for_no_merge_token()
    {
        await using var scenario = await AtomScenario.StartAsync(settings: "test_command: test -f src/greeting.txt\n", environment: TestGitHubApp.Environment(_keyDirectory));
        scenario.GitHub.AsApp = true;
        scenario.ReplyPlan(("Code", ["src/**"])).ReplyWrite("src/greeting.txt", "hello\n").ReplyVerdict();
        await scenario.Host.SendAsync("issues", TestGitHubApp.WithInstallation(scenario.Labeled()));
        var task = await scenario.WaitForStateAsync(TaskState.AwaitingApproval);
        var before = scenario.GitHub.Comments(task.PullRequest!.Value).Count;

        await scenario.Host.SendAsync("issue_comment", TestGitHubApp.WithInstallation(Payloads.Comment(task.PullRequest.Value, "mallory", "/status")));
        await Eventually.TrueAsync(() => scenario.GitHub.Comments(task.PullRequest.Value).Count > before, "the status reply");

        var asked = scenario.GitHub.AccessTokenRequests().Select(r => Permissions(r["permissions"]!.AsObject())).ToList();
        asked.ShouldNotContain(Permissions(GitHubAccess.Merge), "anyone may ask /status; the answer needs only the conversation's permissions");
        asked.ShouldContain(Permissions(GitHubAccess.Conversation));
        scenario.GitHub.RequestsBeyondTheirToken().ShouldBeEmpty();
    }

    private static string Permissions(GitHubAccess access) => string.Join(",", access.Permissions.Select(p => $"{p.Key}:{p.Value}"));

    private static string Permissions(JsonObject permissions) =>
        string.Join(",", permissions.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}:{p.Value!.GetValue<string>()}"));
}
