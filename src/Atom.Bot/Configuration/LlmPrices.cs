using System.Globalization;

namespace Atom.Bot.Configuration;

/// <summary>
/// <c>ATOM_LLM_PRICES</c>: prices per model, as <c>model=input/output</c> pairs separated by commas, each a price per
/// million tokens in one currency the operator chooses (<c>gpt-4o=2.5/10,qwen2.5-coder=0/0</c>). A model without a price
/// is shown in tokens only.
/// </summary>
public sealed class LlmPrices
{
    private readonly IReadOnlyDictionary<string, LlmPrice> _prices;

    private LlmPrices(IReadOnlyDictionary<string, LlmPrice> prices) => _prices = prices;

    public static LlmPrices None { get; } = new(new Dictionary<string, LlmPrice>(StringComparer.Ordinal));

    public IReadOnlyDictionary<string, LlmPrice> Models => _prices;

    public LlmPrice? For(string model) => _prices.GetValueOrDefault(model);

    /// <summary>The cost of these tokens of <paramref name="model"/>, or null when it has no price.</summary>
    public decimal? Cost(string model, long tokensIn, long tokensOut) => For(model)?.Cost(tokensIn, tokensOut);

    /// <summary>The prices in <paramref name="text"/>, or why it is not a list of prices (empty text: no prices).</summary>
    public static LlmPrices? Parse(string? text, out string? error)
    {
        error = null;
        var prices = new Dictionary<string, LlmPrice>(StringComparer.Ordinal);
        foreach (var pair in (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            // A model name may contain '=' only before the last one: "a=b=1/2" would be ambiguous, so split at the last.
            var equals = pair.LastIndexOf('=');
            var model = equals > 0 ? pair[..equals].Trim() : "";
            var amounts = equals > 0 ? pair[(equals + 1)..].Split('/') : [];
            if (model.Length == 0 || amounts.Length != 2
                || !TryAmount(amounts[0], out var input) || !TryAmount(amounts[1], out var output))
            {
                error = $"'{pair}' is not model=input/output (prices per million tokens, e.g. gpt-4o=2.5/10)";
                return null;
            }

            if (!prices.TryAdd(model, new LlmPrice(input, output)))
            {
                error = $"model '{model}' has two prices";
                return null;
            }
        }

        return prices.Count == 0 ? None : new LlmPrices(prices);
    }

    /// <summary>
    /// An amount of money as Atom shows it: two decimals with thousands separators, and "&lt; 0.01" for a cost that is
    /// not zero but would read as zero.
    /// </summary>
    public static string Money(decimal amount) => amount switch
    {
        0 => "0.00",
        > 0 and < 0.005m => "< 0.01",
        _ => amount.ToString("N2", CultureInfo.InvariantCulture),
    };

    /// <summary>The setting's text form (<c>atom config</c>, the options' printout).</summary>
    public override string ToString() => _prices.Count == 0
        ? "(none)"
        : string.Join(",", _prices.Select(p => $"{p.Key}={p.Value.Input.ToString(CultureInfo.InvariantCulture)}/{p.Value.Output.ToString(CultureInfo.InvariantCulture)}"));

    private static bool TryAmount(string text, out decimal amount) =>
        decimal.TryParse(text.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out amount);
}
