using Atom.Bot.Trial;

namespace Atom.Bot.Tests.Trial;

public sealed class TryArgumentsTests
{
    private const string Here = "/work/repo";

    [Fact]
    public void The_issue_text_is_the_words_and_the_repository_defaults_to_the_working_directory()
    {
        var parsed = TryArguments.Parse(["Add", "a --json flag"], Here).ShouldNotBeNull();

        parsed.Error.ShouldBeNull();
        parsed.Command.ShouldBe(TryCommandKind.New);
        parsed.Text.ShouldBe("Add a --json flag");
        parsed.Repository.ShouldBe(Here);
    }

    [Theory]
    [InlineData(new[] { "approve" }, TryCommandKind.Approve, null)]
    [InlineData(new[] { "--repo", "../other", "approve", "--pull", "7" }, TryCommandKind.Approve, null)]
    [InlineData(new[] { "revise", "Keep", "the old name" }, TryCommandKind.Revise, "Keep the old name")]
    [InlineData(new[] { "reject" }, TryCommandKind.Reject, null)]
    [InlineData(new[] { "resume" }, TryCommandKind.Resume, null)]
    public void The_first_word_names_the_command_wherever_the_options_are(string[] args, TryCommandKind command, string? text)
    {
        var parsed = TryArguments.Parse(args, Here).ShouldNotBeNull();

        parsed.Error.ShouldBeNull();
        parsed.Command.ShouldBe(command);
        parsed.Text.ShouldBe(text);
    }

    [Fact]
    public void Paths_are_resolved_from_the_working_directory()
    {
        var parsed = TryArguments.Parse(["--repo", "../other", "approve", "--pull", "7"], Here).ShouldNotBeNull();

        parsed.Repository.ShouldBe("/work/other");
        parsed.PullRequest.ShouldBe(7);
    }

    [Fact]
    public void The_issue_can_come_from_a_file()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "  Add a greeting\n\nWith details.\n");
        try
        {
            TryArguments.Parse(["--issue-file", file], Here).ShouldNotBeNull().Text.ShouldBe("Add a greeting\n\nWith details.");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData(new[] { "--repo" }, "missing its value")]
    [InlineData(new[] { "approve", "--pull", "0" }, "missing its value")]
    [InlineData(new[] { "approve", "--pull", "x" }, "missing its value")]
    [InlineData(new[] { "--frobnicate", "text" }, "unknown option --frobnicate")]
    [InlineData(new[] { "revise" }, "say what to change")]
    [InlineData(new[] { "approve", "now" }, "approve takes no text")]
    [InlineData(new[] { "resume", "--pull", "2" }, "resume takes no --pull")]
    [InlineData(new[] { "--pull", "3", "Some text" }, "--pull goes with approve")]
    [InlineData(new[] { "--issue-file", "/nonexistent/issue.md" }, "does not exist")]
    [InlineData(new[] { "--verbose" }, "say what the issue is")]
    public void Bad_command_lines_say_what_is_wrong(string[] args, string error)
    {
        TryArguments.Parse(args, Here).ShouldNotBeNull().Error.ShouldNotBeNull().ShouldContain(error);
    }

    [Fact]
    public void Nothing_or_help_prints_the_usage()
    {
        TryArguments.Parse([], Here).ShouldBeNull();
        TryArguments.Parse(["--help"], Here).ShouldBeNull();
    }
}
