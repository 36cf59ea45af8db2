namespace Atom.Bot.Configuration;

/// <summary>
/// What some tokens cost at <c>ATOM_LLM_PRICES</c>: the sum over the models that have a price (null when none has), and
/// the models that have none, which are shown in tokens only.
/// </summary>
public sealed record UsageCost(decimal? Amount, IReadOnlyList<string> Unpriced)
{
    public static UsageCost Of(LlmPrices prices, IEnumerable<(string Model, long TokensIn, long TokensOut)> usage)
    {
        ArgumentNullException.ThrowIfNull(prices);
        ArgumentNullException.ThrowIfNull(usage);
        decimal? amount = null;
        var unpriced = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (model, tokensIn, tokensOut) in usage)
        {
            if (prices.Cost(model, tokensIn, tokensOut) is { } cost)
            {
                amount = (amount ?? 0) + cost;
            }
            else
            {
                unpriced.Add(model);
            }
        }

        return new UsageCost(amount, [.. unpriced]);
    }

    /// <summary>"cost 1.25", "cost 1.25; no price set for qwen", "no price set for qwen", or "" for no tokens at all.</summary>
    public string Describe()
    {
        var cost = Amount is { } amount ? $"cost {LlmPrices.Money(amount)}" : "";
        var missing = Unpriced.Count == 0 ? "" : $"no price set for {string.Join(", ", Unpriced)}";
        return string.Join("; ", new[] { cost, missing }.Where(p => p.Length > 0));
    }
}
