using Atom.Bot.Tasks;

namespace Atom.Bot.Tests.Tasks;

public sealed class IssueTextTests
{
    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("before<!-- hidden instruction -->after", "beforeafter")]
    [InlineData("a<!--\nmulti\nline\n-->b", "ab")]
    [InlineData("visible<!-- never closed, hides the rest", "visible")]
    [InlineData("zero\u200Bwidth", "zerowidth")]
    [InlineData("rtl\u202Eoverride", "rtloverride")]
    [InlineData("bom\uFEFF", "bom")]
    [InlineData("tag\U000E0041\U000E0042chars", "tagchars")]
    [InlineData("keeps\nnew lines\tand tabs", "keeps\nnew lines\tand tabs")]
    [InlineData("émoji 👀 and ünïcode", "émoji 👀 and ünïcode")]
    public void Clean_removes_what_a_reader_cannot_see(string input, string expected) =>
        IssueText.Clean(input).ShouldBe(expected);

    [Fact]
    public void Clean_of_nothing_is_empty() => IssueText.Clean(null).ShouldBe("");
}
