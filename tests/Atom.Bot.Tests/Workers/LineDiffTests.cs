using Atom.Bot.Workers;

namespace Atom.Bot.Tests.Workers;

public sealed class LineDiffTests
{
    [Theory]
    [InlineData("", "", 0, 0)]
    [InlineData("", "a\nb\n", 2, 0)]
    [InlineData("a\nb\n", "", 0, 2)]
    [InlineData("a\nb\nc\n", "a\nB\nc\n", 1, 1)]
    [InlineData("a\nb\nc\n", "a\nc\n", 0, 1)]
    [InlineData("a\nb\nc\n", "a\nb\nx\ny\nc\n", 2, 0)]
    [InlineData("a\nb", "a\nb\n", 1, 1)]
    [InlineData("a\nb\nc\nd\n", "d\na\nb\nc\n", 1, 1)]
    [InlineData("x\na\nx\nb\nx\n", "a\nx\nb\nx\ny\n", 1, 1)]
    [InlineData("a\nb\nc\n", "c\nb\na\n", 2, 2)]
    [InlineData("same\n", "same\n", 0, 0)]
    public void Counts_added_and_removed_lines_like_a_minimal_diff(string before, string after, int added, int removed) =>
        LineDiff.Count(before, after, 1000).ShouldBe(new LineChange(added, removed));

    [Fact]
    public void Stops_counting_beyond_the_limit()
    {
        var before = string.Concat(Enumerable.Range(0, 1000).Select(i => $"line {i}\n"));
        var after = string.Concat(Enumerable.Range(0, 1000).Select(i => i % 2 == 0 ? $"line {i}\n" : $"changed {i}\n"));

        LineDiff.Count(before, after, 1000).ShouldBe(new LineChange(500, 500));
        LineDiff.Count(before, after, 999).ShouldBeNull();
        LineDiff.Count("", after, 999).ShouldBeNull();
    }
}
