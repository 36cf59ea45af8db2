using Atom.Bot.Configuration;
using Atom.Bot.Proposals;

namespace Atom.Bot.Tests.Proposals;

public sealed class AtomYamlEditTests
{
    private const string Flow = """
        trigger_label: atom   # the label
        test_timeout_seconds: 300
        scope:
          allow: ["src/**", "tests/**"]   # code only
          deny: [".github/**", ".atom/**"]
          max_files: 20
        """;

    [Fact]
    public void A_pattern_outside_a_flow_allow_list_is_added_and_nothing_else_changes()
    {
        var edited = AtomYamlEdit.AllowPattern(Flow, "docs/**", "docs/a.md").ShouldNotBeNull();
        edited.ShouldBe(Flow.Replace("""allow: ["src/**", "tests/**"]   # code only""", """allow: ["src/**", "tests/**", "docs/**"]   # code only""", StringComparison.Ordinal));
        RepoSettingsParser.Parse(edited).Settings!.Scope.Allow.ShouldBe(["src/**", "tests/**", "docs/**"]);
    }

    [Fact]
    public void A_pattern_outside_a_block_allow_list_is_added_as_an_item()
    {
        const string block = "scope:\n  allow:\n    - src/**\n  max_files: 5\n";
        var edited = AtomYamlEdit.AllowPattern(block, "docs/**", "docs/a.md").ShouldNotBeNull();
        edited.ShouldBe("scope:\n  allow:\n    - \"src/**\"\n    - \"docs/**\"\n  max_files: 5\n");
    }

    [Fact]
    public void A_configured_deny_glob_that_refuses_the_path_is_removed()
    {
        const string yaml = "scope:\n  allow: [\"**\"]\n  deny: [\"docs/**\", \".github/**\"]\n";
        var edited = AtomYamlEdit.AllowPattern(yaml, "docs/**", "docs/a.md").ShouldNotBeNull();
        edited.ShouldContain("deny: [\".github/**\"]");
    }

    [Theory]
    [InlineData(".github/workflows/ci.yml")]
    [InlineData(".atom/skills/x.md")]
    [InlineData("src/a.cs")]
    public void A_path_the_scope_already_allows_or_always_denies_gives_no_edit(string path)
    {
        AtomYamlEdit.AllowPattern(Flow, GapDetector.PatternOf(path) ?? ".github/**", path).ShouldBeNull();
    }

    [Fact]
    public void The_test_timeout_line_is_replaced_or_added()
    {
        AtomYamlEdit.SetTestTimeout(Flow, 600)!.ShouldContain("test_timeout_seconds: 600\n");
        AtomYamlEdit.SetTestTimeout(Flow, 600)!.ShouldNotContain("300");
        AtomYamlEdit.SetTestTimeout("trigger_label: atom", 1200).ShouldBe("trigger_label: atom\ntest_timeout_seconds: 1200\n");
        AtomYamlEdit.SetTestTimeout("", 1200).ShouldBe("test_timeout_seconds: 1200\n");
    }

    [Fact]
    public void The_diff_shows_the_removed_and_added_line()
    {
        var diff = TextDiff.Unified(".github/atom.yml", Flow, AtomYamlEdit.SetTestTimeout(Flow, 600)!);
        diff.ShouldContain("-test_timeout_seconds: 300\n");
        diff.ShouldContain("+test_timeout_seconds: 600\n");
        diff.ShouldStartWith("--- a/.github/atom.yml\n+++ b/.github/atom.yml\n");
        diff.ShouldNotContain("max_files");
    }
}
