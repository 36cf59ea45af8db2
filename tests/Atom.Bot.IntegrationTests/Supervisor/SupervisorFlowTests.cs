using Atom.Bot.Audit;
using Atom.Bot.Certification;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Tasks;

namespace Atom.Bot.IntegrationTests.Supervisor;

/// <summary>Labelled issue → plan → workers → evaluation → certification package, through webhooks, end to end.</summary>
public sealed class SupervisorFlowTests
{
    private const string TaskBranch = "atom/issue-1/add-a-greeting";

    [Fact]
    public async Task Two_assignment_plan_is_combined_into_one_certified_pull_request()
    {
        await using var scenario = await AtomScenario.StartAsync(settings: "test_command: test -f src/greeting.txt && test -f docs/greeting.md\n");
        scenario.ReplyPlan(("Code", ["src/**"]), ("Docs", ["docs/**"]))
            .ReplyWrite("src/greeting.txt", "hello\n", "Added the greeting.")
            .ReplyWrite("docs/greeting.md", "# Greeting\n", "Documented it.")
            .ReplyVerdict("pass", 0.92);

        await scenario.Host.SendAsync("issues", scenario.Labeled());
        var task = await scenario.WaitForStateAsync(TaskState.AwaitingApproval);

        // Both assignment branches were combined into the task branch, and only the task branch is left.
        var tree = scenario.Repository.Tree(TaskBranch);
        tree["src/greeting.txt"].ShouldBe("hello\n");
        tree["docs/greeting.md"].ShouldBe("# Greeting\n");
        scenario.Repository.Branches().ShouldBe(["atom/issue-1/add-a-greeting", "main"], ignoreOrder: true);

        var pull = scenario.GitHub.PullRequests.ShouldHaveSingleItem();
        pull.Head.ShouldBe(TaskBranch);
        pull.Base.ShouldBe("main");
        pull.Title.ShouldBe(AtomScenario.Title);
        pull.Draft.ShouldBeFalse();
        string[] sections = ["## Summary", "## Plan and assignments", "## Scope", "## Changes", "## Tests", "## Auditor", "## Impact analysis", "## Approval", "## Audit reference"];
        var positions = sections.Select(s => pull.Body.IndexOf(s, StringComparison.Ordinal)).ToList();
        positions.ShouldAllBe(p => p >= 0);
        positions.ShouldBeInOrder();
        pull.Body.ShouldContain("Closes #1");
        var package = PackageBody.Read(pull.Body).ShouldNotBeNull();
        package.Passed.ShouldBeTrue();
        package.HeadSha.ShouldBe(scenario.Repository.Head(TaskBranch));
        package.Plan.Assignments.Count.ShouldBe(2);
        package.Tests.ExitCode.ShouldBe(0);
        package.Auditor.Score.ShouldBe(0.92);
        package.Changes.Select(c => c.Path).ShouldBe(["docs/greeting.md", "src/greeting.txt"], ignoreOrder: true);
        package.Audit.LastSequence.ShouldBeGreaterThan(package.Audit.FirstSequence);

        var check = scenario.GitHub.CheckRuns().ShouldHaveSingleItem();
        check["name"]!.GetValue<string>().ShouldBe("atom/certification");
        check["head_sha"]!.GetValue<string>().ShouldBe(package.HeadSha);
        check["conclusion"]!.GetValue<string>().ShouldBe("success");
        scenario.GitHub.Labels(pull.Number).ShouldContain("atom:certified");
        scenario.GitHub.Comments(1).ShouldContain(c => c.Contains($"#{pull.Number}", StringComparison.Ordinal));
        task.PullRequest.ShouldBe(pull.Number);
        task.HeadSha.ShouldBe(package.HeadSha);

        var kinds = (await scenario.AuditAsync(task.Id)).Select(e => e.Kind).ToList();
        kinds.ShouldContain(AuditKinds.Plan);
        kinds.Count(k => k == AuditKinds.Dispatch).ShouldBe(2);
        kinds.ShouldContain(AuditKinds.Evaluation);
        kinds.ShouldContain(AuditKinds.PackagePosted);
        (await scenario.VerifyAuditAsync()).IsValid.ShouldBeTrue();
    }

    [Fact]
    public async Task A_denied_path_slipped_in_below_the_tools_fails_the_package_and_no_pull_request_is_offered()
    {
        await using var scenario = await AtomScenario.StartAsync();
        // A server-side hook adds a workflow file to the first branch Atom pushes: the tools never saw it.
        scenario.Repository.InstallHook("post-receive", """
            #!/bin/sh
            while read old new ref; do
              if [ ! -f "$GIT_DIR/injected" ]; then
                touch "$GIT_DIR/injected"
                export GIT_INDEX_FILE="$GIT_DIR/inject-index" GIT_AUTHOR_NAME=x GIT_AUTHOR_EMAIL=x@x GIT_COMMITTER_NAME=x GIT_COMMITTER_EMAIL=x@x
                blob=$(echo "on: push" | git hash-object -w --stdin)
                git read-tree "$new"
                git update-index --add --cacheinfo 100644,"$blob",.github/workflows/evil.yml
                tree=$(git write-tree)
                commit=$(git commit-tree "$tree" -p "$new" -m injected)
                git update-ref "$ref" "$commit"
              fi
            done
            """);
        scenario.ReplyPlan(("Code", ["src/**"])).ReplyWrite("src/greeting.txt", "hello\n").ReplyVerdict();

        await scenario.Host.SendAsync("issues", scenario.Labeled());
        var task = await scenario.WaitForStateAsync(TaskState.Failed);

        scenario.Repository.Tree(TaskBranch).Keys.ShouldContain(".github/workflows/evil.yml");
        scenario.GitHub.PullRequests.ShouldBeEmpty();
        task.StateReason.ShouldNotBeNull().ShouldContain(".github/workflows/evil.yml");
        await Eventually.TrueAsync(() => scenario.GitHub.Comments(1).Any(c => c.Contains("evil.yml", StringComparison.Ordinal)), "the failure comment");
        var evaluation = (await scenario.AuditAsync(task.Id)).Single(e => e.Kind == AuditKinds.Evaluation);
        evaluation.Payload.ShouldNotBeNull().ShouldContain("scope violation");
    }

    [Fact]
    public async Task An_empty_diff_is_never_a_package()
    {
        await using var scenario = await AtomScenario.StartAsync();
        scenario.ReplyPlan(("Code", ["src/**"]));
        scenario.Llm.ReplyToolCall("finish", new { summary = "Nothing needed." });

        await scenario.Host.SendAsync("issues", scenario.Labeled());
        var task = await scenario.WaitForStateAsync(TaskState.Failed);

        scenario.GitHub.PullRequests.ShouldBeEmpty();
        task.StateReason.ShouldNotBeNull().ShouldContain("no change");
        await Eventually.TrueAsync(() => scenario.GitHub.Comments(1).Count == 2, "the acknowledgement and the failure comment");
    }

    [Fact]
    public async Task A_task_whose_only_write_was_refused_says_which_path_and_why()
    {
        await using var scenario = await AtomScenario.StartAsync();
        scenario.ReplyPlan(("CI", ["**"]));
        scenario.Llm.ReplyToolCall("write_file", new { path = ".github/workflows/ci.yml", content = "on: push\n" })
            .ReplyToolCall("finish", new { summary = "Added the workflow." });

        await scenario.Host.SendAsync("issues", scenario.Labeled());
        var task = await scenario.WaitForStateAsync(TaskState.Failed);

        scenario.GitHub.PullRequests.ShouldBeEmpty();
        task.StateReason.ShouldNotBeNull().ShouldContain(".github/workflows/ci.yml");
        task.StateReason.ShouldContain("which workers may never read or change");
        await Eventually.TrueAsync(() => scenario.GitHub.Comments(1).Count == 2, "the acknowledgement and the failure comment");
        var failure = scenario.GitHub.Comments(1)[1];
        failure.ShouldContain("every change they tried was refused by the scope");
        failure.ShouldContain(".github/workflows/ci.yml");
        failure.ShouldContain("which workers may never read or change");
    }

    [Fact]
    public async Task A_short_LLM_key_that_is_also_a_word_in_the_title_leaves_the_branch_and_the_pull_request_intact()
    {
        // Local model servers are often given the key "test": the branch built from "Add test helpers" contains it.
        await using var scenario = await AtomScenario.StartAsync(environment: new Dictionary<string, string?> { ["ATOM_LLM_API_KEY"] = "test" });
        scenario.ReplyPlan(("Code", ["src/**"])).ReplyWrite("src/test_helpers.txt", "helpers\n", "Added the test helpers.").ReplyVerdict();

        await scenario.Host.SendAsync("issues", scenario.Labeled(title: "Add test helpers"));
        var task = await scenario.WaitForStateAsync(TaskState.AwaitingApproval);

        task.Branch.ShouldBe("atom/issue-1/add-test-helpers");
        var pull = scenario.GitHub.PullRequests.ShouldHaveSingleItem();
        pull.Head.ShouldBe("atom/issue-1/add-test-helpers");
        pull.Title.ShouldBe("Add test helpers");
        var package = PackageBody.Read(pull.Body).ShouldNotBeNull();
        package.Branch.ShouldBe("atom/issue-1/add-test-helpers");
        package.Changes.ShouldHaveSingleItem().Path.ShouldBe("src/test_helpers.txt");
        scenario.Llm.Requests.ShouldAllBe(r => r.Authorization == "Bearer test");

        // Where the key stands as a word of free text, it is still masked.
        package.Summary.ShouldNotContain("the test helpers");
    }

    [Fact]
    public async Task Tests_that_fail_then_pass_after_one_revision_give_a_passing_package_of_two_rounds()
    {
        await using var scenario = await AtomScenario.StartAsync(settings: "test_command: test -f src/fixed.txt\nmax_revisions: 2\n");
        scenario.ReplyPlan(("Code", ["src/**"]))
            .ReplyWrite("src/greeting.txt", "hello\n")
            .ReplyVerdict("pass", 0.8)
            .ReplyWrite("src/fixed.txt", "fixed\n", "Made the tests pass.")
            .ReplyVerdict("pass", 0.95);

        await scenario.Host.SendAsync("issues", scenario.Labeled());
        var task = await scenario.WaitForStateAsync(TaskState.AwaitingApproval);

        task.Round.ShouldBe(1);
        var package = PackageBody.Read(scenario.GitHub.PullRequests.ShouldHaveSingleItem().Body).ShouldNotBeNull();
        package.Passed.ShouldBeTrue();
        package.Rounds.ShouldBe(2);
        package.Tests.ExitCode.ShouldBe(0);
        // The second round was told why: the failing test command.
        scenario.Llm.Requests.Select(r => r.LastUserText).ShouldContain(t => t.Contains("test -f src/fixed.txt", StringComparison.Ordinal));
        scenario.Repository.Tree(TaskBranch).Keys.ShouldContain("src/greeting.txt");
        scenario.Repository.Tree(TaskBranch).Keys.ShouldContain("src/fixed.txt");
    }

    [Fact]
    public async Task The_evaluation_tests_a_fresh_worktree_from_a_spare_whatever_the_workers_test_run_left_behind()
    {
        // The same command runs in the worker's worktree (run_tests) and in the evaluation's: it passes only where no
        // earlier run left its marker and the worktree holds nothing but the checkout (.git, README.md, src). (Not `git status`: git
        // does not work in the sandbox, whose mounts leave out the mirror the worktree's .git points into.)
        const string command = "test ! -e .ran-here && test $(ls -A | wc -l) -eq 3 && touch .ran-here";
        await using var scenario = await AtomScenario.StartAsync(settings: $"test_command: '{command}'\n");
        scenario.ReplyPlan(("Code", ["src/**"]));
        scenario.Llm.ReplyToolCall("run_tests", new { })
            .ReplyToolCall("write_file", new { path = "src/greeting.txt", content = "hello\n" })
            .ReplyToolCall("finish", new { summary = "Added the greeting." });
        scenario.ReplyVerdict("pass", 0.9);

        await scenario.Host.SendAsync("issues", scenario.Labeled());
        await scenario.WaitForStateAsync(TaskState.AwaitingApproval);

        var worker = scenario.Llm.Requests.First(r => r.Body.Contains("Tests passed", StringComparison.Ordinal));
        worker.ShouldNotBeNull("the worker's own run passed, in its fresh worktree");
        var package = PackageBody.Read(scenario.GitHub.PullRequests.ShouldHaveSingleItem().Body).ShouldNotBeNull();
        package.Passed.ShouldBeTrue();
        package.Tests.ExitCode.ShouldBe(0, "the evaluation's worktree had no marker and nothing else");
        scenario.Repository.Tree(TaskBranch).Keys.ShouldNotContain(".ran-here");
        scenario.Host.Logs.Lines.ShouldContain(l => l.Contains("[5215]", StringComparison.Ordinal), "a spare worktree was taken");
    }

    [Fact]
    public async Task An_auditor_that_always_asks_for_revision_ends_in_a_draft_failed_package()
    {
        await using var scenario = await AtomScenario.StartAsync(settings: "max_revisions: 1\n");
        scenario.ReplyPlan(("Code", ["src/**"]))
            .ReplyWrite("src/greeting.txt", "hello\n")
            .ReplyVerdict("needs_revision", 0.4, "Say hello to the world.")
            .ReplyWrite("src/greeting.txt", "hello again\n")
            .ReplyVerdict("needs_revision", 0.5, "Still not the world.");

        await scenario.Host.SendAsync("issues", scenario.Labeled());
        var task = await scenario.WaitForStateAsync(TaskState.Failed);

        var pull = scenario.GitHub.PullRequests.ShouldHaveSingleItem();
        pull.Draft.ShouldBeTrue();
        scenario.GitHub.Labels(pull.Number).ShouldContain("atom:failed");
        var package = PackageBody.Read(pull.Body).ShouldNotBeNull();
        package.Passed.ShouldBeFalse();
        package.Rounds.ShouldBe(2);
        package.FailureReasons.ShouldContain(r => r.Contains("revision", StringComparison.Ordinal));
        scenario.GitHub.CheckRuns()[^1]["conclusion"]!.GetValue<string>().ShouldBe("failure");
        task.Round.ShouldBe(1);
    }

    [Fact]
    public async Task GitHub_502_on_creating_the_pull_request_still_gives_exactly_one()
    {
        await using var scenario = await AtomScenario.StartAsync();
        scenario.GitHub.FailFirst("POST", "/repos/*/*/pulls", 502);
        scenario.ReplyPlan(("Code", ["src/**"])).ReplyWrite("src/greeting.txt", "hello\n").ReplyVerdict();

        await scenario.Host.SendAsync("issues", scenario.Labeled());
        await scenario.WaitForStateAsync(TaskState.AwaitingApproval);

        scenario.GitHub.PullRequests.Count.ShouldBe(1);
        scenario.GitHub.Requests("POST", "/repos/*/*/pulls").Count(r => r.Status == 201).ShouldBe(1);
    }

    [Fact]
    public async Task Overlapping_scopes_in_a_plan_become_one_assignment()
    {
        await using var scenario = await AtomScenario.StartAsync();
        scenario.ReplyPlan(("API", ["src/**"]), ("API client", ["src/client/**"]), ("Docs", ["docs/**"]))
            .ReplyWrite("src/client/greeting.txt", "hello\n")
            .ReplyWrite("docs/greeting.md", "# Greeting\n")
            .ReplyVerdict();

        await scenario.Host.SendAsync("issues", scenario.Labeled());
        var task = await scenario.WaitForStateAsync(TaskState.AwaitingApproval);

        var assignments = await scenario.Assignments.ListRoundAsync(task.Id, 0, CancellationToken.None);
        assignments.Select(a => a.Title).ShouldBe(["API + API client", "Docs"]);
        assignments[0].Scope.Allow.ShouldBe(["src/**", "src/client/**"], ignoreOrder: true);
    }

    [Fact]
    public async Task A_server_without_json_schema_support_plans_from_json_in_the_text()
    {
        await using var scenario = await AtomScenario.StartAsync();
        scenario.Llm.RejectJsonSchema();
        scenario.Llm.ReplyText("""Here is the plan: {"rationale":"small","assignments":[{"title":"Code","instructions":"Add it.","scope":{"allow":["src/**"],"deny":[]}}]}""");
        scenario.ReplyWrite("src/greeting.txt", "hello\n");
        scenario.Llm.ReplyText("""{"score":0.9,"verdict":"pass","findings":[]}""");

        await scenario.Host.SendAsync("issues", scenario.Labeled());
        var task = await scenario.WaitForStateAsync(TaskState.AwaitingApproval);

        (await scenario.Assignments.ListRoundAsync(task.Id, 0, CancellationToken.None)).ShouldHaveSingleItem().Title.ShouldBe("Code");
    }

    [Fact]
    public async Task No_secret_reaches_GitHub_the_model_the_logs_the_audit_log_or_git_config_over_a_whole_task()
    {
        const string llmKey = "test-llm-key-5a0c77e1";
        const string dashboardToken = "test-dashboard-token-81bd";
        await using var scenario = await AtomScenario.StartAsync(overHttp: true, environment: new Dictionary<string, string?>
        {
            ["ATOM_LLM_API_KEY"] = llmKey,
            ["ATOM_DASHBOARD_TOKEN"] = dashboardToken,
        });
        scenario.ReplyPlan(("Code", ["src/**"])).ReplyWrite("src/greeting.txt", "hello\n").ReplyVerdict();
        await scenario.Host.SendAsync("issues", scenario.Labeled());
        var task = await scenario.WaitForStateAsync(TaskState.AwaitingApproval);
        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(task.PullRequest!.Value, "alice", "/approve"));
        await scenario.WaitForStateAsync(TaskState.Merged);

        string[] secrets = [AtomTestHost.GitHubToken, AtomTestHost.WebhookSecret, llmKey, dashboardToken];
        var places = new Dictionary<string, IEnumerable<string>>
        {
            ["GitHub requests"] = scenario.GitHub.AllRequests().Select(r => $"{r.Path} {r.Body}"),
            ["LLM requests"] = scenario.Llm.Requests.Select(r => r.Body),
            ["logs"] = scenario.Host.Logs.Lines,
            ["audit log"] = (await scenario.AuditAsync(task.Id)).Select(e => e.Payload ?? ""),
            ["git config"] = Directory.EnumerateFiles(Path.Combine(scenario.Host.DataDir, "mirrors"), "config", SearchOption.AllDirectories).Select(File.ReadAllText),
        };
        foreach (var (place, texts) in places)
        {
            var all = string.Join("\n", texts);
            all.ShouldNotBeEmpty(place);
            foreach (var secret in secrets)
            {
                all.ShouldNotContain(secret, Case.Sensitive, $"a secret reached the {place}");
            }
        }

        // The token did travel where it belongs: to the git remote, as basic auth.
        scenario.Http!.AuthenticatedRequests.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task A_restart_while_a_worker_waits_for_the_model_runs_the_assignment_again_and_the_task_completes_once()
    {
        await using var scenario = await AtomScenario.StartAsync();
        scenario.ReplyPlan(("Code", ["src/**"]));
        scenario.Llm.ReplyToolCall("write_file", new { path = "src/lost.txt", content = "never\n" }, delay: TimeSpan.FromSeconds(5));
        await scenario.Host.SendAsync("issues", scenario.Labeled());
        await scenario.Llm.WaitForRequestsAsync(2);
        var task = await scenario.TaskOfIssueAsync();
        task.State.ShouldBe(TaskState.Working);

        // The worker is mid-conversation when the process goes away; its job dies with it.
        await scenario.RestartAsync();
        scenario.ReplyWrite("src/greeting.txt", "hello\n").ReplyVerdict();
        var done = await scenario.WaitForStateAsync(TaskState.AwaitingApproval);

        done.Id.ShouldBe(task.Id);
        scenario.GitHub.PullRequests.ShouldHaveSingleItem();
        scenario.Repository.CommitsSince(TaskBranch, "main").ShouldBe(1);
        scenario.Repository.Tree(TaskBranch).Keys.ShouldNotContain("src/lost.txt");
        var assignment = (await scenario.Assignments.ListForTaskAsync(task.Id, CancellationToken.None)).ShouldHaveSingleItem();
        assignment.Attempts.ShouldBe(2);
        (await scenario.VerifyAuditAsync()).IsValid.ShouldBeTrue();
    }
}
