using Atom.Bot.Certification;

namespace Atom.Bot.Tests.Certification;

/// <summary>The interdiff section of an updated package: placed after the summary, fenced, bounded, read back.</summary>
public sealed partial class PackageBodyTests
{
    private const string PreviousHead = "1111111aaaaaaabbbbbbbcccccccdddddddeeeee";

    [Fact]
    public void An_interdiff_follows_the_summary_names_both_heads_and_reads_back()
    {
        var diff = "diff --git a/src/greeting.txt b/src/greeting.txt\n--- a/src/greeting.txt\n+++ b/src/greeting.txt\n@@ -1 +1 @@\n-hello\n+hello, world";
        var package = SamplePackages.Passing(rounds: 2) with { Interdiff = new PackageInterdiff(PreviousHead, SamplePackages.HeadSha, diff) };

        var body = PackageBody.Render(package);

        var section = Section(body, "## Changes since the last package");
        section.ShouldContain("`1111111`");
        section.ShouldContain($"`{SamplePackages.HeadSha[..7]}`");
        section.ShouldContain("```diff\n" + diff + "\n```");
        body.IndexOf("## Summary", StringComparison.Ordinal).ShouldBeLessThan(body.IndexOf("## Changes since the last package", StringComparison.Ordinal));
        body.IndexOf("## Changes since the last package", StringComparison.Ordinal).ShouldBeLessThan(body.IndexOf("## Plan and assignments", StringComparison.Ordinal));
        PackageBody.Read(body).ShouldNotBeNull().Interdiff.ShouldBe(package.Interdiff);
        PackageBody.Render(SamplePackages.Passing()).ShouldNotContain("## Changes since the last package");
    }

    [Fact]
    public void A_huge_interdiff_is_cut_so_the_body_fits_and_fences_in_it_cannot_close_the_block()
    {
        var diff = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"+line {i} ``` @someone #12\n"));
        var package = SamplePackages.Passing(rounds: 2) with { Interdiff = new PackageInterdiff(PreviousHead, SamplePackages.HeadSha, diff) };

        var body = PackageBody.Render(package);

        body.Length.ShouldBeLessThanOrEqualTo(PackageBody.MaxLength);
        var section = Section(body, "## Changes since the last package");
        section.Length.ShouldBeLessThan(25_000);
        section.ShouldContain("+line 0 ");
        section.ShouldNotContain("+line 19999 ");
        section.ShouldContain("````diff\n");
        var read = PackageBody.Read(body).ShouldNotBeNull();
        read.Interdiff.ShouldNotBeNull().Diff!.Length.ShouldBeLessThan(diff.Length);
    }

    [Fact]
    public void An_interdiff_that_could_not_be_made_says_why()
    {
        var package = SamplePackages.Passing(rounds: 2) with { Interdiff = new PackageInterdiff(PreviousHead, SamplePackages.HeadSha, null, "'1111111' is neither a branch nor a commit") };

        Section(PackageBody.Render(package), "## Changes since the last package").ShouldContain("could not be computed: '1111111' is neither a branch nor a commit");
    }
}
