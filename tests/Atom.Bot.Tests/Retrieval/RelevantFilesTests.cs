using Atom.Bot.Retrieval;

namespace Atom.Bot.Tests.Retrieval;

public sealed class RelevantFilesTests
{
    private static readonly RelevantFiles Ranking = new(
    [
        new RankedFile(1, "src/Invoice.cs", "b1", [new OutlineEntry(3, "public sealed class Invoice"), new OutlineEntry(9, "public decimal Tax()")]),
        new RankedFile(2, "src/Tax.cs", "b2", [new OutlineEntry(5, "public static class Tax")]),
        new RankedFile(3, "src/Money.cs", "b3", [new OutlineEntry(1, "public record Money(decimal Amount)")]),
    ], "abc", false);

    [Fact]
    public void With_room_every_file_shows_in_rank_order_with_its_outline()
    {
        var text = Ranking.Render(10_000);

        text.ShouldContain("1. src/Invoice.cs\n   3: public sealed class Invoice\n   9: public decimal Tax()\n2. src/Tax.cs\n   5: public static class Tax\n3. src/Money.cs\n");
        text.ShouldNotContain("did not fit");
    }

    [Fact]
    public void A_tight_budget_drops_outlines_of_lower_files_before_any_path_and_is_never_exceeded()
    {
        var paths = Ranking.Render(int.MaxValue).Split('\n')[0].Length + 1 + "1. src/Invoice.cs\n2. src/Tax.cs\n3. src/Money.cs\n".Length;
        var budget = paths + "   3: public sealed class Invoice\n".Length;

        var text = Ranking.Render(budget);

        text.Length.ShouldBeLessThanOrEqualTo(budget);
        text.ShouldContain("1. src/Invoice.cs\n   3: public sealed class Invoice\n2. src/Tax.cs\n3. src/Money.cs\n");
        text.ShouldNotContain("public static class Tax");
    }

    [Fact]
    public void Files_that_do_not_fit_are_counted_and_nothing_at_all_fits_in_no_budget()
    {
        var heading = Ranking.Render(int.MaxValue).Split('\n')[0].Length + 1;
        var text = Ranking.Render(heading + "1. src/Invoice.cs\n".Length + "[2 more relevant file(s) did not fit the budget]\n".Length);

        text.ShouldEndWith("1. src/Invoice.cs\n[2 more relevant file(s) did not fit the budget]\n");
        Ranking.Render(10).ShouldBe("");
        RelevantFiles.None.Render(10_000).ShouldBe("");
    }

    [Fact]
    public void The_budget_is_an_eighth_of_the_context_at_four_characters_a_token()
    {
        new RetrievalOptions { Directory = "/tmp/x", ContextTokens = 32_768 }.BudgetCharacters.ShouldBe(16_384);
    }
}
