using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Atom.Bot.Audit;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Tasks;

namespace Atom.Bot.IntegrationTests.Workers;

/// <summary>
/// <c>ATOM_GIT_SIGNING</c> end to end: commits made by GitHub through the Git Data API for an App (the stub builds the
/// objects in the real bare repository), commits signed with Atom's SSH key, and plain commits, each checked with git.
/// </summary>
public sealed class VerifiedCommitTests : IDisposable
{
    private const long InstallationId = TestGitHubApp.InstallationId;
    private const string Branch = "atom/issue-7/add-a-greeting";
    private readonly string _keyDirectory = Directory.CreateTempSubdirectory("atom-app-key-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_keyDirectory, recursive: true);

    private static readonly Dictionary<string, string> Files = new()
    {
        ["README.md"] = "# Widgets\n",
        ["src/app.txt"] = "hello\n",
        ["src/old.txt"] = "to be deleted\n",
        ["docs/guide.md"] = "# Guide\n",
    };

    // An addition in a new nested directory, a modification and a deletion.
    private static readonly Dictionary<string, string?> Changes = new()
    {
        ["src/greeting.txt"] = "hello, world\n",
        ["src/deep/nested/note.txt"] = "a note\n",
        ["src/app.txt"] = "hello again\n",
        ["src/old.txt"] = null,
    };

    [Fact]
    public async Task Api_created_commit_chain_matches_the_worktree_tree_exactly_and_is_the_certified_head()
    {
        var environment = TestGitHubApp.Environment(_keyDirectory);
        await using var scenario = await AtomScenario.StartAsync(files: Files, settings: "test_command: test -f src/greeting.txt\n", environment: environment);
        scenario.GitHub.AsApp = true;
        scenario.GitHub.RequireSignatures = true; // ATOM_GIT_SIGNING is auto (the default)
        scenario.ReplyPlan(("Code", ["src/**"]));
        ScriptChanges(scenario);
        scenario.ReplyVerdict();

        await scenario.Host.SendAsync("issues", TestGitHubApp.WithInstallation(scenario.Labeled()));
        var task = await scenario.WaitForStateAsync(TaskState.AwaitingApproval);

        var branch = task.Branch!;
        var head = scenario.Repository.Head(branch).ShouldNotBeNull();
        task.HeadSha.ShouldBe(head, "what is certified is the commit GitHub made, now the branch's head");
        scenario.Repository.Parents(branch).ShouldBe([scenario.Repository.Head("main")!]);
        scenario.Repository.Identity(branch).Author.ShouldContain($"{GitHubStub.AppSlug}[bot]", customMessage: "no author sent: GitHub makes (and signs) it as the App");
        scenario.Repository.Message(branch).ShouldContain($"Atom-Task: {task.Id}");

        // The same change committed by plain git from main gives the same tree, to the SHA.
        var expected = scenario.Repository.Commit("expected", Changes, from: "main");
        TreeOf(scenario, head).ShouldBe(TreeOf(scenario, expected));
        scenario.Repository.Tree(branch).Keys.ShouldNotContain("src/old.txt");

        var writes = scenario.GitHub.GitDataWrites();
        writes.Count(w => w.Path.EndsWith("/git/blobs", StringComparison.Ordinal)).ShouldBe(3, "one blob per added or modified file, none for the deletion");
        writes.Where(w => w.Path.EndsWith("/git/trees", StringComparison.Ordinal)).ShouldHaveSingleItem().Body.ShouldNotBeNull().ShouldContain("\"sha\":null");
        writes.Where(w => w.Path.EndsWith("/git/commits", StringComparison.Ordinal)).ShouldHaveSingleItem().Status.ShouldBe(201);
        writes.Where(w => w.Path.EndsWith("/git/refs", StringComparison.Ordinal)).ShouldHaveSingleItem().Status.ShouldBe(201);
        scenario.GitHub.RequestsBeyondTheirToken().ShouldBeEmpty();

        var commit = await CommitReceiptAsync(scenario, task.Id);
        commit["output_sha"]!.GetValue<string>().ShouldBe(head);
        commit["signature"]!["method"]!.GetValue<string>().ShouldBe("api");
        commit["signature"]!["verified"]!.GetValue<bool>().ShouldBeTrue();
        commit["signature"]!["reason"]!.GetValue<string>().ShouldBe("valid");
        (await scenario.VerifyAuditAsync()).IsValid.ShouldBeTrue();
    }

    [Fact]
    public async Task Combined_assignments_are_merged_through_the_api_and_the_merge_GitHub_made_is_the_certified_head()
    {
        await using var scenario = await AtomScenario.StartAsync(files: Files, settings: "test_command: test -f src/greeting.txt\n", environment: TestGitHubApp.Environment(_keyDirectory));
        scenario.GitHub.AsApp = true;
        scenario.GitHub.RequireSignatures = true;
        scenario.GitHub.DeleteRefsForReal = true;
        scenario.ReplyPlan(("Code", ["src/**"]), ("Docs", ["docs/**"]))
            .ReplyWrite("src/greeting.txt", "hello\n", "Added the greeting.")
            .ReplyWrite("docs/greeting.md", "# Greeting\n", "Documented it.")
            .ReplyVerdict();

        await scenario.Host.SendAsync("issues", TestGitHubApp.WithInstallation(scenario.Labeled()));
        var task = await scenario.WaitForStateAsync(TaskState.AwaitingApproval);

        var branch = task.Branch!;
        var head = scenario.Repository.Head(branch).ShouldNotBeNull();
        task.HeadSha.ShouldBe(head);
        scenario.Repository.Branches().ShouldBe(["main", branch], ignoreOrder: true);
        // The first branch fast-forwards; the second is merged by a commit GitHub made for the App, on both assignment commits.
        var parents = scenario.Repository.Parents(branch);
        parents.Count.ShouldBe(2);
        scenario.Repository.Identity(branch).Author.ShouldContain($"{GitHubStub.AppSlug}[bot]");
        foreach (var parent in parents)
        {
            scenario.Repository.Identity(parent).Author.ShouldContain($"{GitHubStub.AppSlug}[bot]");
        }

        var expected = scenario.Repository.Commit("expected", new Dictionary<string, string?> { ["src/greeting.txt"] = "hello\n", ["docs/greeting.md"] = "# Greeting\n" }, from: "main");
        TreeOf(scenario, head).ShouldBe(TreeOf(scenario, expected));
        scenario.GitHub.GitDataWrites().Count(w => w.Path.EndsWith("/git/commits", StringComparison.Ordinal) && w.Status == 201).ShouldBe(3);
        scenario.GitHub.RequestsBeyondTheirToken().ShouldBeEmpty();
    }

    [Fact]
    public async Task Combined_assignments_are_merged_by_an_ssh_signed_commit_without_an_app()
    {
        await using var scenario = await AtomScenario.StartAsync(files: Files, settings: "test_command: test -f src/greeting.txt\n", environment: new Dictionary<string, string?> { ["ATOM_GIT_SIGNING"] = "ssh" });
        scenario.ReplyPlan(("Code", ["src/**"]), ("Docs", ["docs/**"]))
            .ReplyWrite("src/greeting.txt", "hello\n", "Added the greeting.")
            .ReplyWrite("docs/greeting.md", "# Greeting\n", "Documented it.")
            .ReplyVerdict();

        await scenario.Host.SendAsync("issues", scenario.Labeled());
        var task = await scenario.WaitForStateAsync(TaskState.AwaitingApproval);

        var head = scenario.Repository.Head(task.Branch!).ShouldNotBeNull();
        task.HeadSha.ShouldBe(head);
        var parents = scenario.Repository.Parents(head);
        parents.Count.ShouldBe(2);
        var allowed = Path.Combine(scenario.Host.DataDir, "allowed_signers");
        File.WriteAllText(allowed, $"atom-bot@users.noreply.github.com {File.ReadAllText(Path.Combine(scenario.Host.DataDir, "keys", "git-signing.pub")).Trim()}\n");
        foreach (var commit in parents.Prepend(head))
        {
            TestRepository.GitExitCode(scenario.Repository.BarePath, "-c", $"gpg.ssh.allowedSignersFile={allowed}", "verify-commit", commit).ShouldBe(0, $"commit {commit} is signed");
        }
    }

    [Fact]
    public async Task A_tree_GitHub_builds_differently_is_refused_and_the_branch_is_never_created()
    {
        var environment = TestGitHubApp.Environment(_keyDirectory);
        environment["ATOM_GIT_SIGNING"] = "api";
        await using var scenario = await AtomScenario.StartAsync(files: Files, environment: environment);
        scenario.InstallationId = InstallationId;
        scenario.GitHub.TamperWithTrees = true;
        var (_, assignments) = await scenario.WorkingTaskAsync(("Greeting", ["src/**"]));
        ScriptChanges(scenario);

        var done = await scenario.RunAsync(assignments[0]);

        done.State.ShouldBe(AssignmentState.Failed);
        done.Result!.Error.ShouldNotBeNull().ShouldContain("not the worktree's committed tree");
        scenario.Repository.Head(Branch).ShouldBeNull();
        scenario.GitHub.GitDataWrites().ShouldNotContain(w => w.Path.EndsWith("/git/commits", StringComparison.Ordinal) || w.Path.Contains("/git/refs", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Api_without_a_github_app_fails_the_assignment_with_the_reason_and_pushes_nothing()
    {
        await using var scenario = await AtomScenario.StartAsync(files: Files, environment: new Dictionary<string, string?> { ["ATOM_GIT_SIGNING"] = "api" });
        var (_, assignments) = await scenario.WorkingTaskAsync(("Greeting", ["src/**"]));
        ScriptChanges(scenario);

        var done = await scenario.RunAsync(assignments[0]);

        done.State.ShouldBe(AssignmentState.Failed);
        done.Result!.Error.ShouldNotBeNull().ShouldContain("ATOM_GIT_SIGNING=api needs a GitHub App");
        scenario.Repository.Head(Branch).ShouldBeNull();
        scenario.GitHub.GitDataWrites().ShouldBeEmpty();
    }

    [Theory]
    [InlineData("ssh", false)]
    [InlineData("auto", true)]
    public async Task Without_an_app_the_commit_is_signed_with_the_data_dir_ssh_key_and_git_verifies_it(string mode, bool required)
    {
        await using var scenario = await AtomScenario.StartAsync(files: Files, environment: new Dictionary<string, string?> { ["ATOM_GIT_SIGNING"] = mode });
        scenario.GitHub.RequireSignatures = required;
        var (task, assignments) = await scenario.WorkingTaskAsync(("Greeting", ["src/**"]));
        ScriptChanges(scenario);

        var done = await scenario.RunAsync(assignments[0]);

        done.Result!.Outcome.ShouldBe(AssignmentOutcome.Completed, done.Result.Error);
        var head = scenario.Repository.Head(Branch).ShouldNotBeNull();
        done.Result.CommitSha.ShouldBe(head);
        var key = Path.Combine(scenario.Host.DataDir, "keys", "git-signing");
        (OperatingSystem.IsWindows() ? default : File.GetUnixFileMode(key)).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var publicKey = File.ReadAllText(key + ".pub").Trim();
        publicKey.ShouldStartWith("ssh-ed25519 ");

        // git verifies the signature against an allowed-signers file naming the bot's address and the public key...
        var allowed = Path.Combine(scenario.Host.DataDir, "allowed_signers");
        File.WriteAllText(allowed, $"atom-bot@users.noreply.github.com {publicKey}\n");
        TestRepository.GitExitCode(scenario.Repository.BarePath, "-c", $"gpg.ssh.allowedSignersFile={allowed}", "verify-commit", head).ShouldBe(0);
        TestRepository.GitWith(scenario.Repository.BarePath, null, null, "-c", $"gpg.ssh.allowedSignersFile={allowed}", "log", "-1", "--format=%G?", head).Trim().ShouldBe("G");
        // ...and refuses it against another key.
        File.WriteAllText(allowed, "atom-bot@users.noreply.github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKqMuSmBy5J6hqQn0DmnLwWm7ZoTqWYKQyZv0Ut0wCbk\n");
        TestRepository.GitExitCode(scenario.Repository.BarePath, "-c", $"gpg.ssh.allowedSignersFile={allowed}", "verify-commit", head).ShouldNotBe(0);

        // Same content as a plain commit of the change, and the trailers are kept.
        TreeOf(scenario, head).ShouldBe(TreeOf(scenario, scenario.Repository.Commit("expected", Changes, from: "main")));
        scenario.Repository.Message(Branch).ShouldContain($"Atom-Assignment: {assignments[0].Id}");
        scenario.GitHub.GitDataWrites().ShouldBeEmpty();

        var commit = await CommitReceiptAsync(scenario, task.Id);
        commit["output_sha"]!.GetValue<string>().ShouldBe(head);
        commit["signature"]!["method"]!.GetValue<string>().ShouldBe("ssh");
        commit["signature"]!["key_fingerprint"]!.GetValue<string>().ShouldBe(SshFingerprint(key + ".pub"));
        commit.ToJsonString().ShouldNotContain("PRIVATE KEY");
    }

    [Fact]
    public async Task Auto_without_required_signatures_makes_a_plain_commit_as_before()
    {
        await using var scenario = await AtomScenario.StartAsync(files: Files);
        var (task, assignments) = await scenario.WorkingTaskAsync(("Greeting", ["src/**"]));
        ScriptChanges(scenario);

        var done = await scenario.RunAsync(assignments[0]);

        done.Result!.Outcome.ShouldBe(AssignmentOutcome.Completed);
        var head = scenario.Repository.Head(Branch).ShouldNotBeNull();
        done.Result.CommitSha.ShouldBe(head);
        RawCommit(scenario, head).ShouldNotContain("gpgsig");
        scenario.Repository.Identity(Branch).Author.ShouldContain("atom-bot");
        scenario.GitHub.Requests("GET", "/repos/acme/widgets/rules/branches/main").ShouldHaveSingleItem();
        scenario.GitHub.GitDataWrites().ShouldBeEmpty();
        File.Exists(Path.Combine(scenario.Host.DataDir, "keys", "git-signing")).ShouldBeFalse();
        (await CommitReceiptAsync(scenario, task.Id))["signature"]!["method"]!.GetValue<string>().ShouldBe("none");
    }

    [Fact]
    public async Task None_on_a_base_that_requires_signatures_commits_plainly_and_the_package_warns_that_GitHub_will_refuse_it()
    {
        await using var scenario = await AtomScenario.StartAsync(files: Files, settings: "test_command: test -f src/greeting.txt\n", environment: new Dictionary<string, string?> { ["ATOM_GIT_SIGNING"] = "none" });
        scenario.GitHub.RequireSignatures = true;
        scenario.ReplyPlan(("Code", ["src/**"]));
        ScriptChanges(scenario);
        scenario.ReplyVerdict();

        await scenario.Host.SendAsync("issues", scenario.Labeled());
        var task = await scenario.WaitForStateAsync(TaskState.AwaitingApproval);

        var head = scenario.Repository.Head(task.Branch!).ShouldNotBeNull();
        task.HeadSha.ShouldBe(head);
        RawCommit(scenario, head).ShouldNotContain("gpgsig");
        scenario.Repository.Identity(task.Branch!).Author.ShouldContain("atom-bot");
        var body = scenario.GitHub.PullRequests.ShouldHaveSingleItem().Body;
        body.ShouldContain("requires signed commits");
        body.ShouldContain("GitHub will refuse to merge these unsigned commits");
        scenario.GitHub.GitDataWrites().ShouldBeEmpty();
        File.Exists(Path.Combine(scenario.Host.DataDir, "keys", "git-signing")).ShouldBeFalse();
    }

    private static void ScriptChanges(AtomScenario scenario) =>
        scenario.Llm
            .ReplyToolCall("write_file", new { path = "src/greeting.txt", content = "hello, world\n" })
            .ReplyToolCall("write_file", new { path = "src/deep/nested/note.txt", content = "a note\n" })
            .ReplyToolCall("write_file", new { path = "src/app.txt", content = "hello again\n" })
            .ReplyToolCall("delete_file", new { path = "src/old.txt" })
            .ReplyToolCall("finish", new { summary = "Added a greeting, changed the app, removed the old file." });

    private static string TreeOf(AtomScenario scenario, string commit) =>
        TestRepository.GitWith(scenario.Repository.BarePath, null, null, "rev-parse", commit + "^{tree}").Trim();

    private static string RawCommit(AtomScenario scenario, string commit) =>
        TestRepository.GitWith(scenario.Repository.BarePath, null, null, "cat-file", "commit", commit);

    private static string SshFingerprint(string publicKeyFile)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("ssh-keygen", ["-l", "-E", "sha256", "-f", publicKeyFile]) { RedirectStandardOutput = true })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output.Split(' ')[1];
    }

    private static async Task<JsonObject> CommitReceiptAsync(AtomScenario scenario, long taskId)
    {
        var receipts = await scenario.Host.Services.GetRequiredService<ExecutionReceipts>().ForTaskAsync(taskId, Ct);
        return JsonNode.Parse(receipts.Single(r => r.Kind == ReceiptKinds.Commit).Facts)!.AsObject();
    }
}
