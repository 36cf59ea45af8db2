using Atom.Bot.Configuration;

namespace Atom.Bot.Tests.Configuration;

public sealed class LlmPricesTests
{
    [Theory]
    [InlineData("", 0)]
    [InlineData("gpt-4o=2.5/10", 1)]
    [InlineData(" gpt-4o = 2.5 / 10 , qwen2.5-coder=0/0 ,", 2)]
    [InlineData("org/model:latest=0.15/0.6", 1)]
    public void Good_price_lists_parse(string text, int models)
    {
        var prices = LlmPrices.Parse(text, out var error);

        error.ShouldBeNull();
        prices!.Models.Count.ShouldBe(models);
    }

    [Theory]
    [InlineData("gpt-4o", "'gpt-4o' is not model=input/output")]
    [InlineData("gpt-4o=2.5", "'gpt-4o=2.5' is not model=input/output")]
    [InlineData("gpt-4o=2.5/10/1", "is not model=input/output")]
    [InlineData("=2.5/10", "'=2.5/10' is not model=input/output")]
    [InlineData("gpt-4o=-1/10", "'gpt-4o=-1/10' is not")]
    [InlineData("gpt-4o=1,5/10", "is not model=input/output")]
    [InlineData("gpt-4o=cheap/10", "'gpt-4o=cheap/10' is not")]
    [InlineData("a=1/1,a=2/2", "model 'a' has two prices")]
    public void Bad_price_lists_say_which_pair_is_wrong(string text, string expected)
    {
        LlmPrices.Parse(text, out var error).ShouldBeNull();

        error.ShouldNotBeNull().ShouldContain(expected);
    }

    [Fact]
    public void Tokens_turn_into_money_per_million_and_unknown_models_have_no_price()
    {
        var prices = LlmPrices.Parse("gpt-4o=2.5/10", out _)!;

        prices.Cost("gpt-4o", 1_000_000, 0).ShouldBe(2.5m);
        prices.Cost("gpt-4o", 200_000, 50_000).ShouldBe(1.0m);
        prices.Cost("other", 1_000_000, 1_000_000).ShouldBeNull();
    }

    [Theory]
    [InlineData("0", "0.00")]
    [InlineData("0.0001", "< 0.01")]
    [InlineData("0.0049", "< 0.01")]
    [InlineData("0.005", "0.01")]
    [InlineData("1.234", "1.23")]
    [InlineData("1234567.891", "1,234,567.89")]
    public void Money_has_two_decimals_and_never_shows_a_small_cost_as_zero(string amount, string shown) =>
        LlmPrices.Money(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)).ShouldBe(shown);

    [Fact]
    public void A_cost_sums_the_priced_models_and_names_the_others()
    {
        var prices = LlmPrices.Parse("gpt-4o=2.5/10,local=0/0", out _)!;

        var mixed = UsageCost.Of(prices, [("gpt-4o", 1_000_000, 100_000), ("local", 5_000_000, 1_000), ("qwen", 10, 10)]);
        mixed.Amount.ShouldBe(3.5m);
        mixed.Unpriced.ShouldBe(["qwen"]);
        mixed.Describe().ShouldBe("cost 3.50; no price set for qwen");

        UsageCost.Of(prices, [("qwen", 10, 10)]).Describe().ShouldBe("no price set for qwen");
        UsageCost.Of(prices, [("local", 10, 10)]).Describe().ShouldBe("cost 0.00");
        UsageCost.Of(LlmPrices.None, []).Describe().ShouldBe("");
    }

    [Fact]
    public void The_options_printout_shows_the_prices_as_written()
    {
        LlmPrices.Parse("gpt-4o=2.5/10,local=0/0", out _)!.ToString().ShouldBe("gpt-4o=2.5/10,local=0/0");
        LlmPrices.None.ToString().ShouldBe("(none)");
    }
}
