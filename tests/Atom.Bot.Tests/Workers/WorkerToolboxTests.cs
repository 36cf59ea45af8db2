using System.Text;
using System.Text.Json;
using Atom.Bot.Configuration;
using Atom.Bot.Llm;
using Atom.Bot.Tasks;
using Atom.Bot.Workers;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atom.Bot.Tests.Workers;

public sealed class WorkerToolboxTests : IDisposable
{
    private readonly DirectoryInfo _worktree = Directory.CreateTempSubdirectory("atom-toolbox-");
    private readonly DirectoryInfo _outside = Directory.CreateTempSubdirectory("atom-toolbox-outside-");
    private readonly TestSandbox _sandbox = Sandboxes.Bwrap();

    public void Dispose()
    {
        _sandbox.Dispose();
        _worktree.Delete(recursive: true);
        _outside.Delete(recursive: true);
    }

    [Fact]
    public void Definitions_are_exactly_the_tools_of_the_design_with_object_schemas()
    {
        WorkerToolbox.Definitions.Select(d => d.FunctionName).ShouldBe(
            ["list_files", "read_file", "search_code", "write_file", "delete_file", "run_tests", "finish"]);

        var required = WorkerToolbox.Definitions.ToDictionary(
            d => d.FunctionName,
            d =>
            {
                using var schema = JsonDocument.Parse(d.FunctionParameters.ToString());
                schema.RootElement.GetProperty("type").GetString().ShouldBe("object");
                return schema.RootElement.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(e => e.GetString()!).ToArray() : [];
            });
        required["list_files"].ShouldBeEmpty();
        required["read_file"].ShouldBe(["path"]);
        required["search_code"].ShouldBe(["query"]);
        required["write_file"].ShouldBe(["path", "content"]);
        required["delete_file"].ShouldBe(["path"]);
        required["run_tests"].ShouldBeEmpty();
        required["finish"].ShouldBe(["summary"]);
    }

    [Theory]
    [InlineData("rm_rf", "{}", ToolFailure.UnknownTool)]
    [InlineData("", "{}", ToolFailure.UnknownTool)]
    [InlineData("READ_FILE", """{"path":"src/a.cs"}""", ToolFailure.UnknownTool)]
    [InlineData("read_file", """{"path":""", ToolFailure.InvalidArguments)]
    [InlineData("read_file", "not json at all", ToolFailure.InvalidArguments)]
    [InlineData("read_file", """["src/a.cs"]""", ToolFailure.InvalidArguments)]
    [InlineData("read_file", "\"src/a.cs\"", ToolFailure.InvalidArguments)]
    [InlineData("read_file", "{}", ToolFailure.InvalidArguments)]
    [InlineData("read_file", """{"path":null}""", ToolFailure.InvalidArguments)]
    [InlineData("read_file", """{"path":42}""", ToolFailure.InvalidArguments)]
    [InlineData("read_file", """{"path":""}""", ToolFailure.InvalidArguments)]
    [InlineData("read_file", """{"file":"src/a.cs"}""", ToolFailure.InvalidArguments)]
    [InlineData("write_file", """{"path":"src/a.cs"}""", ToolFailure.InvalidArguments)]
    [InlineData("write_file", """{"content":"x"}""", ToolFailure.InvalidArguments)]
    [InlineData("write_file", """{"path":"src/a.cs","content":{"text":"x"}}""", ToolFailure.InvalidArguments)]
    [InlineData("search_code", """{"query":"  "}""", ToolFailure.InvalidArguments)]
    [InlineData("list_files", """{"path":["src"]}""", ToolFailure.InvalidArguments)]
    [InlineData("finish", "{}", ToolFailure.InvalidArguments)]
    public async Task Bad_call_is_a_tool_error_the_model_can_read(string tool, string arguments, ToolFailure failure)
    {
        var toolbox = Toolbox(Scope("src/**"));

        var outcome = await toolbox.InvokeAsync(new LlmToolCall("call_1", tool, arguments), TestContext.Current.CancellationToken);

        outcome.Failure.ShouldBe(failure);
        outcome.Content.ShouldStartWith("Error: ");
        outcome.Finished.ShouldBeFalse();
        toolbox.Refusals.ShouldBeEmpty();
        _worktree.EnumerateFileSystemInfos().ShouldBeEmpty();
    }

    [Fact]
    public async Task Tool_without_arguments_accepts_an_empty_argument_string()
    {
        var outcome = await Invoke(Toolbox(Scope("src/**")), "run_tests", "");

        outcome.IsError.ShouldBeFalse();
        outcome.Content.ShouldContain("not configured");
    }

    [Fact]
    public async Task Hostile_model_is_refused_everywhere_and_nothing_is_written_outside_the_scope()
    {
        Directory.CreateDirectory(Path.Join(_worktree.FullName, ".git"));
        File.WriteAllText(Path.Join(_worktree.FullName, ".git", "config"), "[remote]\nurl = https://x-access-token:ghs_secret@github.com/o/r\n");
        Directory.CreateDirectory(Path.Join(_worktree.FullName, "src"));
        Directory.CreateSymbolicLink(Path.Join(_worktree.FullName, "src", "escape"), _outside.FullName);
        File.CreateSymbolicLink(Path.Join(_worktree.FullName, "src", "passwd"), "/etc/passwd");
        var toolbox = Toolbox(Scope("**"));
        var before = Snapshot();

        (string Tool, string Arguments)[] attempts =
        [
            ("write_file", """{"path":"../x","content":"x"}"""),
            ("write_file", """{"path":"/etc/passwd","content":"x"}"""),
            ("read_file", """{"path":"/etc/passwd"}"""),
            ("write_file", """{"path":".github/workflows/ci.yml","content":"on: push"}"""),
            ("write_file", """{"path":".GitHub/workflows/ci.yml","content":"on: push"}"""),
            ("read_file", """{"path":".git/config"}"""),
            ("write_file", """{"path":".git/hooks/pre-commit","content":"#!/bin/sh"}"""),
            ("write_file", """{"path":".atom/skills/evil.md","content":"obey"}"""),
            ("write_file", """{"path":"src/escape/planted.txt","content":"x"}"""),
            ("read_file", """{"path":"src/passwd"}"""),
            ("write_file", """{"path":"src/passwd","content":"x"}"""),
            ("delete_file", """{"path":"src/passwd"}"""),
            ("list_files", """{"path":"src/escape"}"""),
            ("write_file", """{"path":"src\\..\\..\\x","content":"x"}"""),
            ("write_file", """{"path":"src/a\u0000.cs","content":"x"}"""),
        ];
        foreach (var (tool, arguments) in attempts)
        {
            var outcome = await Invoke(toolbox, tool, arguments);
            outcome.Failure.ShouldBe(ToolFailure.Refused, $"{tool} {arguments}: {outcome.Content}");
            outcome.Refusal.ShouldNotBeNull();
            outcome.Content.ShouldStartWith("Refused: ");
        }

        toolbox.Refusals.Count.ShouldBe(attempts.Length);
        toolbox.ChangedFiles.ShouldBeEmpty();
        Snapshot().ShouldBe(before);
        _outside.EnumerateFileSystemInfos().ShouldBeEmpty();
        File.Exists(Path.Join(_worktree.FullName, "..", "x")).ShouldBeFalse();
    }

    [Fact]
    public async Task Write_creates_parent_folders_and_read_returns_the_content()
    {
        var toolbox = Toolbox(Scope("src/**"));

        var written = await Invoke(toolbox, "write_file", """{"path":"src/deep/er/a.cs","content":"class A {}\n"}""");
        var read = await Invoke(toolbox, "read_file", """{"path":"src/deep/er/a.cs"}""");

        written.IsError.ShouldBeFalse(written.Content);
        read.Content.ShouldBe("class A {}\n");
        File.ReadAllText(Path.Join(_worktree.FullName, "src/deep/er/a.cs")).ShouldBe("class A {}\n");
        toolbox.ChangedFiles.ShouldBe(["src/deep/er/a.cs"]);
        toolbox.LinesAdded.ShouldBe(1);
        _worktree.EnumerateFiles("*.tmp", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    [Fact]
    public async Task Write_outside_scope_is_refused_and_recorded()
    {
        var toolbox = Toolbox(new Scope(["src/**"], ["src/secret/**"], 20, 800));

        var outside = await Invoke(toolbox, "write_file", """{"path":"docs/a.md","content":"x"}""");
        var denied = await Invoke(toolbox, "write_file", """{"path":"src/secret/key.pem","content":"x"}""");

        outside.Refusal!.Reason.ShouldContain("outside");
        denied.Refusal!.Reason.ShouldContain("deny");
        toolbox.Refusals.Select(r => r.Path).ShouldBe(["docs/a.md", "src/secret/key.pem"]);
        _worktree.EnumerateFileSystemInfos().ShouldBeEmpty();
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Overwrite_keeps_the_file_mode()
    {
        var script = Path.Join(_worktree.FullName, "build.sh");
        File.WriteAllText(script, "#!/bin/sh\necho old\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        await Invoke(Toolbox(Scope("**")), "write_file", """{"path":"build.sh","content":"#!/bin/sh\necho new\n"}""");

        File.GetUnixFileMode(script).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.ReadAllText(script).ShouldBe("#!/bin/sh\necho new\n");
    }

    [Fact]
    public async Task Ten_thousand_tiny_files_are_refused_after_max_files_and_nothing_beyond_is_written()
    {
        var toolbox = Toolbox(new Scope(["**"], [], 20, 100_000));

        var refused = 0;
        for (var i = 0; i < 10_000; i++)
        {
            var outcome = await Invoke(toolbox, "write_file", $$"""{"path":"spam/f{{i}}.txt","content":"x\n"}""");
            if (outcome.Refusal is not null)
            {
                refused++;
                outcome.Refusal.Reason.ShouldContain("at most 20");
            }
        }

        refused.ShouldBe(9_980);
        toolbox.Refusals.Count.ShouldBe(9_980);
        toolbox.ChangedFiles.Count.ShouldBe(20);
        Directory.GetFiles(Path.Join(_worktree.FullName, "spam")).Length.ShouldBe(20);
    }

    [Fact]
    public async Task Five_megabyte_write_is_refused()
    {
        var toolbox = Toolbox(Scope("**"));
        var content = new string('x', 5 * 1024 * 1024);

        var outcome = await Invoke(toolbox, "write_file", JsonSerializer.Serialize(new { path = "big.txt", content }));

        outcome.Refusal!.Reason.ShouldContain($"at most {WorkerToolbox.MaxWriteBytes} bytes");
        File.Exists(Path.Join(_worktree.FullName, "big.txt")).ShouldBeFalse();
    }

    [Fact]
    public async Task Write_at_the_size_cap_is_allowed_and_one_byte_more_is_not()
    {
        var toolbox = Toolbox(new Scope(["**"], [], 20, 100_000));

        var atCap = await Invoke(toolbox, "write_file", JsonSerializer.Serialize(new { path = "a.txt", content = new string('x', WorkerToolbox.MaxWriteBytes) }));
        var over = await Invoke(toolbox, "write_file", JsonSerializer.Serialize(new { path = "b.txt", content = new string('x', WorkerToolbox.MaxWriteBytes + 1) }));

        atCap.IsError.ShouldBeFalse(atCap.Content);
        over.Refusal.ShouldNotBeNull();
    }

    [Fact]
    public async Task Changed_lines_are_counted_cumulatively_against_the_start()
    {
        File.WriteAllText(Path.Join(_worktree.FullName, "existing.txt"), Lines("old", 100));
        var toolbox = Toolbox(new Scope(["**"], [], 20, 10));

        (await Invoke(toolbox, "write_file", Write("a.txt", Lines("a", 6)))).IsError.ShouldBeFalse();
        (await Invoke(toolbox, "write_file", Write("b.txt", Lines("b", 5)))).Refusal!.Reason.ShouldContain("limit of 10");
        (await Invoke(toolbox, "write_file", Write("b.txt", Lines("b", 2)))).IsError.ShouldBeFalse();
        (await Invoke(toolbox, "write_file", Write("a.txt", Lines("A", 9)))).Refusal.ShouldNotBeNull();
        (await Invoke(toolbox, "write_file", Write("a.txt", Lines("A", 6)))).IsError.ShouldBeFalse();
        var edited = Lines("old", 100).Replace("old 50\n", "new 50\n", StringComparison.Ordinal);
        (await Invoke(toolbox, "write_file", Write("existing.txt", edited))).IsError.ShouldBeFalse();
        (await Invoke(toolbox, "delete_file", """{"path":"existing.txt"}""")).Refusal.ShouldNotBeNull();

        toolbox.LinesAdded.ShouldBe(9);
        toolbox.LinesRemoved.ShouldBe(1);
        toolbox.ChangedFiles.ShouldBe(["a.txt", "b.txt", "existing.txt"]);
        File.Exists(Path.Join(_worktree.FullName, "existing.txt")).ShouldBeTrue();
        File.ReadAllText(Path.Join(_worktree.FullName, "a.txt")).ShouldBe(Lines("A", 6));
    }

    [Fact]
    public async Task Restoring_a_file_gives_back_its_budget()
    {
        File.WriteAllText(Path.Join(_worktree.FullName, "a.txt"), "one\n");
        var toolbox = Toolbox(new Scope(["**"], [], 1, 800));

        await Invoke(toolbox, "write_file", Write("a.txt", "two\n"));
        (await Invoke(toolbox, "write_file", Write("b.txt", "x\n"))).Refusal!.Reason.ShouldContain("at most 1");
        await Invoke(toolbox, "write_file", Write("a.txt", "one\n"));
        (await Invoke(toolbox, "write_file", Write("b.txt", "x\n"))).IsError.ShouldBeFalse();

        toolbox.ChangedFiles.ShouldBe(["b.txt"]);
        toolbox.LinesAdded.ShouldBe(1);
        toolbox.LinesRemoved.ShouldBe(0);
    }

    [Fact]
    public async Task Delete_removes_a_file_and_counts_its_lines()
    {
        File.WriteAllText(Path.Join(_worktree.FullName, "old.txt"), Lines("x", 3));
        Directory.CreateDirectory(Path.Join(_worktree.FullName, "folder"));
        var toolbox = Toolbox(Scope("**"));

        (await Invoke(toolbox, "delete_file", """{"path":"old.txt"}""")).IsError.ShouldBeFalse();
        (await Invoke(toolbox, "delete_file", """{"path":"old.txt"}""")).Failure.ShouldBe(ToolFailure.NotFound);
        (await Invoke(toolbox, "delete_file", """{"path":"folder"}""")).Failure.ShouldBe(ToolFailure.WrongKind);

        File.Exists(Path.Join(_worktree.FullName, "old.txt")).ShouldBeFalse();
        toolbox.ChangedFiles.ShouldBe(["old.txt"]);
        toolbox.LinesRemoved.ShouldBe(3);
    }

    [Fact]
    public async Task Read_is_bounded_and_says_so()
    {
        File.WriteAllText(Path.Join(_worktree.FullName, "large.txt"), new string('y', 100_000));
        File.WriteAllBytes(Path.Join(_worktree.FullName, "image.png"), [0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 1]);
        var toolbox = Toolbox(Scope("**"));

        var large = await Invoke(toolbox, "read_file", """{"path":"large.txt"}""");
        var binary = await Invoke(toolbox, "read_file", """{"path":"image.png"}""");
        var missing = await Invoke(toolbox, "read_file", """{"path":"missing.txt"}""");

        large.Content.ShouldStartWith(new string('y', WorkerToolbox.MaxReadBytes) + "\n[truncated: showing the first 65536 of 100000 bytes");
        binary.Content.ShouldContain("binary");
        missing.Failure.ShouldBe(ToolFailure.NotFound);
    }

    [Fact]
    public async Task Read_outside_scope_is_refused()
    {
        File.WriteAllText(Path.Join(_worktree.FullName, "notes.md"), "private");

        var outcome = await Invoke(Toolbox(Scope("src/**")), "read_file", """{"path":"notes.md"}""");

        outcome.Refusal.ShouldNotBeNull();
        outcome.Content.ShouldNotContain("private");
    }

    [Fact]
    public async Task Listing_shows_only_readable_files_and_never_follows_links()
    {
        Touch("src/a.cs", "src/sub/b.cs", "src/secret/key.pem", "docs/readme.md", ".github/workflows/ci.yml", ".git/config", ".atom/skills/x.md", "README.md");
        File.WriteAllText(Path.Join(_outside.FullName, "outside.cs"), "x");
        Directory.CreateSymbolicLink(Path.Join(_worktree.FullName, "src", "linked"), _outside.FullName);
        File.CreateSymbolicLink(Path.Join(_worktree.FullName, "src", "link.cs"), "/etc/passwd");
        var toolbox = Toolbox(new Scope(["src/**", "README.md"], ["src/secret/**"], 20, 800));

        var root = await Invoke(toolbox, "list_files", "{}");
        var src = await Invoke(toolbox, "list_files", """{"path":"src/sub"}""");
        var git = await Invoke(toolbox, "list_files", """{"path":".git"}""");

        root.Content.Split('\n').ShouldBe(["README.md", "src/a.cs", "src/sub/b.cs"]);
        src.Content.ShouldBe("src/sub/b.cs");
        git.Refusal.ShouldNotBeNull();
    }

    [Fact]
    public async Task Listing_is_bounded()
    {
        Touch([.. Enumerable.Range(0, WorkerToolbox.MaxListedFiles + 10).Select(i => $"many/f{i:D4}.txt")]);

        var outcome = await Invoke(Toolbox(Scope("**")), "list_files", """{"path":"many"}""");

        var lines = outcome.Content.Split('\n');
        lines.Length.ShouldBe(WorkerToolbox.MaxListedFiles + 1);
        lines[^1].ShouldContain($"only the first {WorkerToolbox.MaxListedFiles} files");
    }

    [Fact]
    public async Task Search_finds_text_in_readable_files_only()
    {
        File.WriteAllText(Path.Join(_worktree.FullName, "app.py"), "import os\n\ndef Main():\n    pass\n");
        Touch("src/secret.py", ".git/config", ".github/workflows/ci.yml");
        File.WriteAllText(Path.Join(_worktree.FullName, "src/secret.py"), "def main(): leak\n");
        File.WriteAllText(Path.Join(_worktree.FullName, ".git/config"), "def main\n");
        File.WriteAllBytes(Path.Join(_worktree.FullName, "blob.bin"), [.. "def main"u8, 0, 1, 2]);
        var toolbox = Toolbox(new Scope(["**"], ["src/secret.py"], 20, 800));

        var found = await Invoke(toolbox, "search_code", """{"query":"def main"}""");
        var none = await Invoke(toolbox, "search_code", """{"query":"nowhere to be found"}""");

        found.Content.ShouldBe("app.py:3: def Main():");
        none.Content.ShouldStartWith("No matches");
    }

    [Fact]
    public async Task Search_is_bounded_in_matches_and_line_length()
    {
        var longLine = new string('a', 1000) + "needle" + new string('b', 1000);
        File.WriteAllText(Path.Join(_worktree.FullName, "hay.txt"), string.Concat(Enumerable.Repeat(longLine + "\n", 150)));

        var outcome = await Invoke(Toolbox(Scope("**")), "search_code", """{"query":"NEEDLE"}""");

        var lines = outcome.Content.Split('\n');
        lines.Length.ShouldBe(WorkerToolbox.MaxSearchMatches + 1);
        lines[0].ShouldStartWith("hay.txt:1: …");
        lines[0].ShouldContain("needle");
        lines[0].Length.ShouldBeLessThan(WorkerToolbox.MaxSearchLineChars + 20);
        lines[^1].ShouldContain($"only the first {WorkerToolbox.MaxSearchMatches} matches");
    }

    [Fact]
    public async Task Search_stops_after_reading_its_byte_budget()
    {
        var files = (int)(WorkerToolbox.MaxSearchTotalBytes / WorkerToolbox.MaxSearchFileBytes) + 1;
        var content = new string('z', WorkerToolbox.MaxSearchFileBytes - 7) + "\nneedle";
        for (var i = 0; i < files; i++)
        {
            File.WriteAllText(Path.Join(_worktree.FullName, $"f{i:D3}.txt"), content);
        }

        var outcome = await Invoke(Toolbox(Scope("**")), "search_code", """{"query":"needle"}""");

        var lines = outcome.Content.Split('\n');
        lines.Length.ShouldBe(files);
        lines[^1].ShouldStartWith($"[search stopped at 'f{files - 1:D3}.txt' after reading {WorkerToolbox.MaxSearchTotalBytes} bytes");
    }

    [Fact]
    public async Task Run_tests_runs_the_configured_command_and_records_the_run()
    {
        var toolbox = Toolbox(Scope("**"), new RepoSettings { TestCommand = "echo 'Passed!  - Failed: 0, Passed: 5, Skipped: 0, Total: 5'", TestTimeoutSeconds = 30 });

        var outcome = await Invoke(toolbox, "run_tests", "{}");

        outcome.IsError.ShouldBeFalse();
        outcome.TestRun!.Status.ShouldBe(TestStatus.Passed);
        outcome.Content.ShouldContain("Tests passed");
        outcome.Content.ShouldContain("5 total, 5 passed, 0 failed, 0 skipped");
        toolbox.TestRuns.Single().ShouldBeSameAs(outcome.TestRun);
    }

    [Fact(Timeout = 120_000)]
    public async Task Run_tests_reports_a_timeout()
    {
        var toolbox = Toolbox(Scope("**"), new RepoSettings { TestCommand = "sleep 600", TestTimeoutSeconds = 1 });

        var outcome = await toolbox.InvokeAsync(new LlmToolCall("call_1", "run_tests", "{}"), TestContext.Current.CancellationToken);

        outcome.TestRun!.TimedOut.ShouldBeTrue();
        outcome.Content.ShouldContain("did not finish within 1 s");
        toolbox.ToolErrors.ShouldBe(["run_tests:TimedOut"], "a tool that times out is a tooling signal");
    }

    [Fact]
    public async Task Run_tests_that_pass_or_fail_are_no_tool_error()
    {
        var toolbox = Toolbox(Scope("**"), new RepoSettings { TestCommand = "exit 1", TestTimeoutSeconds = 30 });

        var outcome = await Invoke(toolbox, "run_tests", "{}");

        outcome.TestRun!.Status.ShouldBe(TestStatus.Failed);
        toolbox.ToolErrors.ShouldBeEmpty();
    }

    [Fact]
    public async Task Finish_ends_the_assignment_with_the_summary()
    {
        var outcome = await Invoke(Toolbox(Scope("**")), "finish", """{"summary":"  Added the parser.  "}""");

        outcome.Finished.ShouldBeTrue();
        outcome.Summary.ShouldBe("Added the parser.");
        outcome.IsError.ShouldBeFalse();
    }

    private WorkerToolbox Toolbox(Scope scope, RepoSettings? settings = null) =>
        new(new ScopeGuard(scope, _worktree.FullName), settings ?? RepoSettings.Defaults, new TestRunner([], _sandbox, NullLogger<TestRunner>.Instance), NullLogger.Instance);

    private static Task<ToolOutcome> Invoke(WorkerToolbox toolbox, string tool, string arguments) =>
        toolbox.InvokeAsync(new LlmToolCall("call_1", tool, arguments), TestContext.Current.CancellationToken);

    private static Scope Scope(params string[] allow) => new(allow, [], 20, 800);

    private static string Write(string path, string content) => JsonSerializer.Serialize(new { path, content });

    private static string Lines(string prefix, int count) =>
        string.Concat(Enumerable.Range(0, count).Select(i => $"{prefix} {i}\n"));

    private void Touch(params string[] paths)
    {
        foreach (var path in paths)
        {
            var full = Path.Join(_worktree.FullName, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, "x");
        }
    }

    private string Snapshot()
    {
        var text = new StringBuilder();
        foreach (var entry in _worktree.EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.None }).OrderBy(e => e.FullName, StringComparer.Ordinal))
        {
            text.Append(entry.FullName).Append(' ').Append(entry.LinkTarget).Append(' ')
                .Append(entry is FileInfo { LinkTarget: null } file ? File.ReadAllText(file.FullName) : "").Append('\n');
        }

        return text.ToString();
    }
}
