using Atom.Bot.Proposals;

namespace Atom.Bot.Tests.Proposals;

public sealed class ProposalTextTests
{
    private const string After = "test_timeout_seconds: 600\nscope:\n  allow: [\"src/**\"]\n";

    private static string Body(string block) => $"**Atom proposes a settings change.**\n\n### Proposed change\n```diff\n+x\n```\n\n{block}\n\n### Decide\n/approve\n";

    [Fact]
    public void The_block_Atom_writes_reads_back_as_the_same_text()
    {
        var read = ProposalText.ReadSettings(Body(ProposalText.SettingsBlock(After)));

        read.Problem.ShouldBeNull();
        read.Text.ShouldBe(After);
    }

    [Fact]
    public void An_edit_sent_with_crlf_reads_with_lf()
    {
        var body = Body(ProposalText.SettingsBlock(After)).Replace("600", "900", StringComparison.Ordinal).ReplaceLineEndings("\r\n");

        ProposalText.ReadSettings(body).Text.ShouldBe(After.Replace("600", "900", StringComparison.Ordinal));
    }

    [Fact]
    public void Backticks_in_the_file_get_a_longer_fence_and_survive()
    {
        var text = "# ````` a comment with backticks\ntest_timeout_seconds: 60\n";

        var block = ProposalText.SettingsBlock(text);

        block.ShouldContain("\n``````yaml\n");
        ProposalText.ReadSettings(Body(block)).Text.ShouldBe(text);
    }

    [Theory]
    [InlineData("no block at all", "no longer has")]
    [InlineData("<!-- atom:proposed-atom.yml -->\n````yaml\na: 1\n````\n<!-- atom:proposed-atom.yml -->\n````yaml\nb: 1\n````", "2 proposed")]
    [InlineData("<!-- atom:proposed-atom.yml -->\nplain text\n", "not the opening fence")]
    [InlineData("<!-- atom:proposed-atom.yml -->\n````yaml\na: 1\n```\n", "not closed")]
    public void A_body_without_exactly_one_readable_block_is_a_problem_not_a_guess(string block, string problem)
    {
        var read = ProposalText.ReadSettings(Body(block));

        read.Text.ShouldBeNull();
        read.Problem.ShouldNotBeNull().ShouldContain(problem);
    }

    [Fact]
    public void Same_settings_ignores_line_endings_and_the_final_newline_only()
    {
        ProposalText.SameSettings("a: 1\r\nb: 2\r\n", "a: 1\nb: 2").ShouldBeTrue();
        ProposalText.SameSettings("a: 1\n", "a: 2\n").ShouldBeFalse();
    }
}
