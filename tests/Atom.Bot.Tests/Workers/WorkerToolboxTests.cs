using System.Text;
using System.Text.Json;
using Atom.Bot.Configuration;
using Atom.Bot.Llm;
using Atom.Bot.Tasks;
using Atom.Bot.Workers;
using Atom.Bot.Workers.Tools;
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
        WorkerToolbox.BuiltInDefinitions.Select(d => d.FunctionName).ShouldBe(
            ["list_files", "read_file", "search_code", "edit_file", "write_file", "delete_file", "run_tests", "finish"]);

        var required = WorkerToolbox.BuiltInDefinitions.ToDictionary(
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
        required["edit_file"].ShouldBe(["path", "old_text", "new_text"]);
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
    public async Task Run_tests_narrows_by_the_repository_filter_argument_with_the_filter_as_one_shell_word()
    {
        Directory.CreateDirectory(Path.Join(_worktree.FullName, "src"));
        var settings = RepoSettings.Defaults with { TestCommand = "printf '[%s]\\n'", TestFilterArg = "-k {filter}" };
        var hostile = "greet'; touch src/pwned; echo '";

        var filtered = await Invoke(Toolbox(Scope("src/**"), settings), "run_tests", JsonSerializer.Serialize(new { filter = hostile }));
        var ignored = await Invoke(Toolbox(Scope("src/**"), settings with { TestFilterArg = null }), "run_tests", JsonSerializer.Serialize(new { filter = "greet" }));
        var multiline = await Invoke(Toolbox(Scope("src/**"), settings), "run_tests", JsonSerializer.Serialize(new { filter = "a\nb" }));

        filtered.IsError.ShouldBeFalse(filtered.Content);
        filtered.Content.ShouldContain($"[-k]\n[{hostile}]", customMessage: "the filter reaches the test command as one argument");
        filtered.Content.ShouldContain("Only the tests matching the filter ran");
        File.Exists(Path.Join(_worktree.FullName, "src", "pwned")).ShouldBeFalse();
        ignored.Content.ShouldContain("The filter was ignored");
        ignored.Content.ShouldNotContain("[greet]");
        multiline.Failure.ShouldBe(ToolFailure.InvalidArguments);
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
        read.Content.ShouldBe("1\tclass A {}\n", "numbered lines, the whole file when it fits");
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
        File.WriteAllText(Path.Join(_worktree.FullName, "long.txt"), string.Concat(Enumerable.Range(1, 1000).Select(i => $"line {i}\n")));
        File.WriteAllBytes(Path.Join(_worktree.FullName, "image.png"), [0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 1]);
        var toolbox = Toolbox(Scope("**"));

        var large = await Invoke(toolbox, "read_file", """{"path":"large.txt"}""");
        var first = await Invoke(toolbox, "read_file", """{"path":"long.txt"}""");
        var last = await Invoke(toolbox, "read_file", """{"path":"long.txt","start_line":990}""");
        var middle = await Invoke(toolbox, "read_file", """{"path":"long.txt","start_line":"500","end_line":502}""");
        var past = await Invoke(toolbox, "read_file", """{"path":"long.txt","start_line":1001}""");
        var backwards = await Invoke(toolbox, "read_file", """{"path":"long.txt","start_line":20,"end_line":10}""");
        var binary = await Invoke(toolbox, "read_file", """{"path":"image.png"}""");
        var missing = await Invoke(toolbox, "read_file", """{"path":"missing.txt"}""");

        large.Content.ShouldStartWith("1\t" + new string('y', WorkerToolbox.MaxReadBytes) + "\n[line 1 is longer than 64 KiB; only its start is shown]");
        first.Content.Split('\n').Length.ShouldBe(ReadFileTool.MaxLines + 1);
        first.Content.ShouldStartWith("1\tline 1\n2\tline 2\n");
        first.Content.ShouldEndWith($"{ReadFileTool.MaxLines}\tline {ReadFileTool.MaxLines}\n[lines 1-{ReadFileTool.MaxLines} of 1000 of 'long.txt'; read on with start_line {ReadFileTool.MaxLines + 1}]");
        last.Content.ShouldBe(string.Concat(Enumerable.Range(990, 11).Select(i => $"{i}\tline {i}\n")) + "[lines 990-1000 of 1000 of 'long.txt']");
        middle.Content.ShouldStartWith("500\tline 500\n501\tline 501\n502\tline 502\n[lines 500-502 of 1000");
        past.Failure.ShouldBe(ToolFailure.InvalidArguments);
        past.Content.ShouldContain("has 1000 line(s)");
        backwards.Failure.ShouldBe(ToolFailure.InvalidArguments);
        binary.Content.ShouldContain("binary");
        missing.Failure.ShouldBe(ToolFailure.NotFound);
    }

    [Fact]
    public async Task Edit_replaces_exactly_one_occurrence_and_counts_only_the_lines_it_changed()
    {
        var original = string.Concat(Enumerable.Range(1, 2000).Select(i => $"int f{i}() => {i};\n"));
        Directory.CreateDirectory(Path.Join(_worktree.FullName, "src"));
        File.WriteAllText(Path.Join(_worktree.FullName, "src", "big.cs"), original);
        var toolbox = Toolbox(Scope("src/**"));

        var edited = await Invoke(toolbox, "edit_file", """{"path":"src/big.cs","old_text":"int f1500() => 1500;\n","new_text":"int f1500() => 1501;\n"}""");

        edited.IsError.ShouldBeFalse(edited.Content);
        edited.Content.ShouldStartWith("Edited 'src/big.cs' at line 1500.");
        File.ReadAllText(Path.Join(_worktree.FullName, "src", "big.cs")).ShouldBe(original.Replace("int f1500() => 1500;", "int f1500() => 1501;", StringComparison.Ordinal));
        (toolbox.LinesAdded, toolbox.LinesRemoved).ShouldBe((1, 1));
        toolbox.ChangedFiles.ShouldBe(["src/big.cs"]);
    }

    [Fact]
    public async Task Edit_with_no_or_several_occurrences_changes_nothing_and_says_where()
    {
        Directory.CreateDirectory(Path.Join(_worktree.FullName, "src"));
        File.WriteAllText(Path.Join(_worktree.FullName, "src", "a.cs"), "x = 1;\ny = 2;\nx = 1;\n");
        var toolbox = Toolbox(Scope("src/**"));

        var none = await Invoke(toolbox, "edit_file", """{"path":"src/a.cs","old_text":"z = 3;","new_text":"z = 4;"}""");
        var several = await Invoke(toolbox, "edit_file", """{"path":"src/a.cs","old_text":"x = 1;","new_text":"x = 2;"}""");
        var numbered = await Invoke(toolbox, "edit_file", """{"path":"src/a.cs","old_text":"2\ty = 2;","new_text":"y = 3;"}""");
        var empty = await Invoke(toolbox, "edit_file", """{"path":"src/a.cs","old_text":"","new_text":"y"}""");
        var outside = await Invoke(toolbox, "edit_file", """{"path":"README.md","old_text":"a","new_text":"b"}""");
        var absent = await Invoke(toolbox, "edit_file", """{"path":"src/new.cs","old_text":"a","new_text":"b"}""");

        none.Failure.ShouldBe(ToolFailure.InvalidArguments);
        none.Content.ShouldContain("does not occur");
        several.Failure.ShouldBe(ToolFailure.InvalidArguments);
        several.Content.ShouldContain("occurs 2 times in 'src/a.cs', at lines 1, 3");
        numbered.Failure.ShouldBe(ToolFailure.InvalidArguments, "read_file's numbers are not part of the file");
        empty.Failure.ShouldBe(ToolFailure.InvalidArguments);
        outside.Refusal.ShouldNotBeNull();
        absent.Failure.ShouldBe(ToolFailure.NotFound);
        File.ReadAllText(Path.Join(_worktree.FullName, "src", "a.cs")).ShouldBe("x = 1;\ny = 2;\nx = 1;\n");
        toolbox.ChangedFiles.ShouldBeEmpty();
    }

    [Fact]
    public async Task Search_takes_a_regular_expression_and_a_path_glob_and_refuses_a_broken_pattern()
    {
        Directory.CreateDirectory(Path.Join(_worktree.FullName, "src", "lib"));
        File.WriteAllText(Path.Join(_worktree.FullName, "src", "lib", "a.cs"), "public int Count() => 1;\npublic int Size => 2;\n");
        File.WriteAllText(Path.Join(_worktree.FullName, "src", "b.py"), "def count():\n    return 1\n");
        var toolbox = Toolbox(Scope("src/**"));

        var regex = await Invoke(toolbox, "search_code", """{"query":"int \\w+\\(\\)","regex":true}""");
        var globbed = await Invoke(toolbox, "search_code", """{"query":"count","path_glob":"src/**/*.py"}""");
        var broken = await Invoke(toolbox, "search_code", """{"query":"(unclosed","regex":true}""");
        var badGlob = await Invoke(toolbox, "search_code", """{"query":"count","path_glob":"src/{a,b}"}""");

        regex.Content.ShouldBe("src/lib/a.cs:1: public int Count() => 1;");
        globbed.Content.ShouldBe("src/b.py:1: def count():");
        broken.Failure.ShouldBe(ToolFailure.InvalidArguments);
        broken.Content.ShouldContain("not a valid regular expression");
        badGlob.Failure.ShouldBe(ToolFailure.InvalidArguments);
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
