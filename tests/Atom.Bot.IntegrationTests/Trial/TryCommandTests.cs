using System.Text;
using Atom.Bot.Certification;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Trial;

namespace Atom.Bot.IntegrationTests.Trial;

/// <summary>
/// <c>atom try</c> end to end: the real service in-process against the local platform, a real working repository,
/// real SQLite, Hangfire and sandboxed tests; only the model is scripted. Each command runs as a person would run it,
/// one after the other, with nothing but a model endpoint in the environment.
/// </summary>
public sealed class TryCommandTests : IDisposable
{
    private const string Branch = "atom/issue-1/add-a-greeting";
    private const string ApiKey = "sk-try-secret-5e1d0c";
    private readonly LlmScript _llm = new();
    private readonly string _repo = Directory.CreateTempSubdirectory("atom-try-").FullName;

    public TryCommandTests()
    {
        Git("init", "--quiet", "--initial-branch", "main");
        File.WriteAllText(Path.Combine(_repo, "README.md"), "# Widgets\n");
        Directory.CreateDirectory(Path.Combine(_repo, "src"));
        File.WriteAllText(Path.Combine(_repo, "src", "app.txt"), "hello\n");
        Commit("Initial commit");
    }

    [Fact]
    public async Task A_labelled_issue_becomes_a_package_beside_the_repository_and_approve_merges_it_into_the_checked_out_default_branch()
    {
        var main = Git("rev-parse", "main").Trim();
        ScriptFirstRound();

        var (code, output) = await TryAsync("Add a greeting\nPlease add a greeting file.");

        code.ShouldBe(0, output);
        output.ShouldContain("planning the issue");
        output.ShouldContain("tool write_file");
        output.ShouldContain("task 1: AwaitingApproval");
        // Atom worked on a branch of the repository itself and left the default branch alone.
        Git("show", $"{Branch}:src/greeting.txt").ShouldBe("hello\n");
        Git("rev-parse", "main").Trim().ShouldBe(main);
        var markdown = File.ReadAllText(Path.Combine(_repo, ".git", "atom-try", "package-2.md"));
        var package = PackageBody.Read(markdown).ShouldNotBeNull();
        package.HeadSha.ShouldBe(Git("rev-parse", Branch).Trim());
        var html = File.ReadAllText(Path.Combine(_repo, ".git", "atom-try", "package-2.html"));
        html.ShouldContain(TryPackage.Policy);
        html.ShouldContain("<table>");
        // The model's request carried the issue, and the planner read the rules from the default branch.
        _llm.Requests[0].LastUserText.ShouldContain("Please add a greeting file.");

        (code, output) = await TryAsync("approve");

        code.ShouldBe(0, output);
        output.ShouldContain("task 1: Merged");
        var merged = Git("rev-parse", "main").Trim();
        merged.ShouldNotBe(main);
        Git("rev-parse", "main^").Trim().ShouldBe(main);
        // The checked-out default branch moved with its working tree, and the merged branch is gone.
        File.ReadAllText(Path.Combine(_repo, "src", "greeting.txt")).ShouldBe("hello\n");
        Git("status", "--porcelain").ShouldBeEmpty();
        Git("branch", "--list", Branch).ShouldBeEmpty();
        Git("log", "-1", "--format=%s", "main").ShouldContain("(#2)");
        AllWritten(output).ShouldNotContain(ApiKey);
        // The audit log is the real one, and verifies as docs/try.md says.
        var options = Atom.Bot.Configuration.AtomConfiguration.Load(new Dictionary<string, string?>
        {
            ["ATOM_DATA_DIR"] = Path.Combine(_repo, ".git", "atom-try", "data"),
        }, _repo, _repo, forService: false).Options.ShouldNotBeNull();
        using var verified = new StringWriter();
        (await Atom.Bot.Audit.AuditCommand.RunAsync(["verify"], options, verified, verified, CancellationToken.None)).ShouldBe(0, verified.ToString());
    }

    [Fact]
    public async Task The_atom_executable_runs_a_try_with_nothing_but_a_model_configured()
    {
        ScriptFirstRound();

        var (exit, stdout, stderr) = await Atom.Bot.IntegrationTests.Configuration.StartupTests.RunAtomAsync(
            ["try", "--repo", _repo, "Add a greeting"],
            new() { ["ATOM_LLM_BASE_URL"] = _llm.BaseUrl.ToString(), ["ATOM_LLM_MODEL"] = "scripted-model" });

        exit.ShouldBe(0, stdout + stderr);
        stdout.ShouldContain("task 1: AwaitingApproval");
        stdout.ShouldContain("package-2.html");
        Git("show", $"{Branch}:src/greeting.txt").ShouldBe("hello\n");
    }

    [Fact]
    public async Task An_interrupted_try_stops_cleanly_and_resume_carries_the_task_on_to_its_package()
    {
        // The interrupted run's planning request takes the first plan (the script answers in order); resume plans again.
        _llm.ReplyJson(new { rationale = "Interrupted.", assignments = Array.Empty<object>() });
        ScriptFirstRound();
        int code;
        string output;
        using (_llm.HoldReplies())
        {
            using var interrupt = new CancellationTokenSource();
            var run = TryAsync(interrupt.Token, "Add a greeting");
            await _llm.WaitForRequestsAsync(1);
            interrupt.Cancel();
            (code, output) = await run;
        }

        code.ShouldBe(130, output);
        output.ShouldContain("atom try resume");

        (code, output) = await TryAsync("resume");

        code.ShouldBe(0, output);
        output.ShouldContain("resuming task 1");
        output.ShouldContain("task 1: AwaitingApproval");
        Git("show", $"{Branch}:src/greeting.txt").ShouldBe("hello\n");
    }

    [Fact]
    public async Task Revise_reworks_the_branch_with_the_feedback_and_reject_closes_it_without_touching_the_default_branch()
    {
        var main = Git("rev-parse", "main").Trim();
        ScriptFirstRound();
        (await TryAsync("Add a greeting")).Code.ShouldBe(0);
        var first = Git("rev-parse", Branch).Trim();
        _llm.ReplyToolCall("write_file", new { path = "src/greeting.txt", content = "hello, world\n" }).ReplyToolCall("finish", new { summary = "Greets the world." })
            .ReplyJson(new { score = 0.95, verdict = "pass", findings = Array.Empty<object>() });

        var (code, output) = await TryAsync("revise", "Say hello to the world.");

        code.ShouldBe(0, output);
        Git("show", $"{Branch}:src/greeting.txt").ShouldBe("hello, world\n");
        Git("rev-parse", $"{Branch}~1").Trim().ShouldBe(first);
        _llm.Requests.Select(r => r.LastUserText).ShouldContain(t => t.Contains("Say hello to the world.", StringComparison.Ordinal));
        var package = PackageBody.Read(File.ReadAllText(Path.Combine(_repo, ".git", "atom-try", "package-2.md"))).ShouldNotBeNull();
        package.Rounds.ShouldBe(2);
        package.HeadSha.ShouldBe(Git("rev-parse", Branch).Trim());

        (code, output) = await TryAsync("reject", "Not what we need.");

        code.ShouldBe(0, output);
        output.ShouldContain("task 1: Rejected");
        Git("rev-parse", "main").Trim().ShouldBe(main);
        Git("rev-parse", Branch).Trim().ShouldNotBeEmpty();
        (code, output) = await TryAsync("approve");
        code.ShouldBe(2);
        output.ShouldContain("no open pull request");
    }

    [Fact]
    public async Task An_approval_after_the_branch_moved_is_bound_to_the_certified_sha_and_merges_nothing()
    {
        ScriptFirstRound();
        (await TryAsync("Add a greeting")).Code.ShouldBe(0);
        var main = Git("rev-parse", "main").Trim();
        // Someone changes Atom's branch after the package was certified.
        Git("checkout", "--quiet", Branch);
        File.WriteAllText(Path.Combine(_repo, "src", "greeting.txt"), "sneaky\n");
        Commit("Sneak a change in");
        Git("checkout", "--quiet", "main");

        var (code, output) = await TryAsync("approve");

        code.ShouldBe(1, output);
        Git("rev-parse", "main").Trim().ShouldBe(main);
        File.Exists(Path.Combine(_repo, "src", "greeting.txt")).ShouldBeFalse();
    }

    [Fact]
    public async Task Invalid_rules_on_the_default_branch_are_refused_with_Atoms_own_explanation()
    {
        Directory.CreateDirectory(Path.Combine(_repo, ".github"));
        File.WriteAllText(Path.Combine(_repo, ".github", "atom.yml"), "max_assignments: lots\n");
        Commit("Settings");

        var (code, output) = await TryAsync("Add a greeting");

        code.ShouldBe(1, output);
        output.ShouldContain("atom on #1:");
        output.ShouldContain("max_assignments");
        _llm.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Without_a_model_it_says_how_to_start_one_and_starts_nothing()
    {
        _llm.Dispose();

        var (code, output) = await TryAsync("Add a greeting");

        code.ShouldBe(2);
        output.ShouldContain("no model answers at");
        output.ShouldContain("ollama pull");
        output.ShouldContain("ATOM_LLM_BASE_URL");
        File.Exists(Path.Combine(_repo, ".git", "atom-try", "platform.json")).ShouldBeFalse();
    }

    public void Dispose()
    {
        _llm.Dispose();
        try
        {
            Directory.Delete(_repo, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void ScriptFirstRound() =>
        _llm.ReplyJson(new
            {
                rationale = "One file.",
                assignments = new[] { new { title = "Code", instructions = "Add src/greeting.txt", scope = new { allow = new[] { "src/**" }, deny = Array.Empty<string>() } } },
            })
            .ReplyToolCall("write_file", new { path = "src/greeting.txt", content = "hello\n" })
            .ReplyToolCall("finish", new { summary = "Added the greeting." })
            .ReplyJson(new { score = 0.9, verdict = "pass", findings = Array.Empty<object>() });

    private Task<(int Code, string Output)> TryAsync(params string[] args) => TryAsync(CancellationToken.None, args);

    private async Task<(int Code, string Output)> TryAsync(CancellationToken interrupt, params string[] args)
    {
        var environment = new Dictionary<string, string?>
        {
            ["PATH"] = Environment.GetEnvironmentVariable("PATH"),
            ["USER"] = "alice",
            ["ATOM_LLM_BASE_URL"] = _llm.BaseUrl.ToString(),
            ["ATOM_LLM_MODEL"] = "scripted-model",
            ["ATOM_LLM_API_KEY"] = ApiKey,
        };
        using var output = new StringWriter();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(interrupt);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            var code = await TryCommand.RunAsync(["--repo", _repo, .. args], environment, _repo, _repo, output, output, timeout.Token);
            return (code, output.ToString());
        }
        catch (OperationCanceledException ex)
        {
            throw new TimeoutException($"atom try {string.Join(' ', args)} did not end; it printed:\n{output}", ex);
        }
    }

    private string AllWritten(string output)
    {
        var text = new StringBuilder(output);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(_repo, ".git", "atom-try"), "*", SearchOption.TopDirectoryOnly))
        {
            text.Append(File.ReadAllText(file));
        }

        return text.ToString();
    }

    private void Commit(string message)
    {
        Git("add", "--all");
        TestRepository.GitWith(_repo, null, new Dictionary<string, string>
        {
            ["GIT_AUTHOR_NAME"] = TestRepository.AuthorName, ["GIT_AUTHOR_EMAIL"] = TestRepository.AuthorEmail,
            ["GIT_COMMITTER_NAME"] = TestRepository.AuthorName, ["GIT_COMMITTER_EMAIL"] = TestRepository.AuthorEmail,
        }, "commit", "--quiet", "-m", message);
    }

    private string Git(params string[] arguments) => TestRepository.GitWith(_repo, null, null, arguments);
}
