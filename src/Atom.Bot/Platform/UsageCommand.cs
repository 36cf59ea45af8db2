using System.Globalization;
using System.Text.RegularExpressions;
using Atom.Bot.Configuration;
using Atom.Bot.Storage;

namespace Atom.Bot.Platform;

/// <summary>
/// <c>atom usage [--repo owner/name] [--month yyyy-MM]</c>: the stored tokens by repository and model, and their cost
/// where <c>ATOM_LLM_PRICES</c> has the model's price.
/// </summary>
public static partial class UsageCommand
{
    public const string Usage = "usage: atom usage [--repo owner/name] [--month yyyy-MM]";

    private const string NoPrice = "no price set";

    public static async Task<int> RunAsync(string[] args, AtomOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        string? repository = null, month = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--repo" when i + 1 < args.Length && args[i + 1].Count(c => c == '/') == 1:
                    repository = args[++i];
                    break;
                case "--month" when i + 1 < args.Length && MonthPattern().IsMatch(args[i + 1]):
                    month = args[++i];
                    break;
                default:
                    await error.WriteLineAsync($"atom usage: unexpected '{args[i]}'\n{Usage}".AsMemory(), cancellationToken);
                    return 2;
            }
        }

        if (!AtomDatabase.Exists(options))
        {
            await error.WriteLineAsync("atom usage: no store yet (ATOM_DATA_DIR / ATOM_DATABASE): nothing has been used".AsMemory(), cancellationToken);
            return 1;
        }

        await using var database = AtomDatabase.For(options);
        await database.MigrateAsync(cancellationToken);
        var rows = await new UsageStore(database).SummaryAsync(repository, month, cancellationToken);
        await output.WriteLineAsync($"LLM usage, {(month is null ? "all time" : month)}, {(repository ?? "all repositories")}".AsMemory(), cancellationToken);
        if (rows.Count == 0)
        {
            await output.WriteLineAsync("no LLM requests recorded".AsMemory(), cancellationToken);
            return 0;
        }

        var width = Math.Max("repository".Length, rows.Max(r => r.Repository.Length));
        var modelWidth = Math.Max("model".Length, rows.Max(r => r.Model.Length));
        var prices = options.LlmPrices;
        await output.WriteLineAsync(Line("repository", "model", "tasks", "requests", "tokens in", "tokens out", "cost").AsMemory(), cancellationToken);
        foreach (var row in rows)
        {
            var cost = prices.Cost(row.Model, row.TokensIn, row.TokensOut) is { } amount ? LlmPrices.Money(amount) : NoPrice;
            await output.WriteLineAsync(Line(row.Repository, row.Model, N(row.Tasks), N(row.Requests), N(row.TokensIn), N(row.TokensOut), cost).AsMemory(), cancellationToken);
        }

        var total = UsageCost.Of(prices, rows.Select(r => (r.Model, r.TokensIn, r.TokensOut)));
        await output.WriteLineAsync(Line("total", "", "", N(rows.Sum(r => r.Requests)), N(rows.Sum(r => r.TokensIn)), N(rows.Sum(r => r.TokensOut)),
            total.Amount is { } sum ? LlmPrices.Money(sum) + (total.Unpriced.Count > 0 ? " + unpriced" : "") : NoPrice).AsMemory(), cancellationToken);
        if (total.Unpriced.Count > 0)
        {
            await output.WriteLineAsync($"no price set for {string.Join(", ", total.Unpriced)}: shown in tokens only (ATOM_LLM_PRICES)".AsMemory(), cancellationToken);
        }

        return 0;

        string Line(string repo, string model, string tasks, string requests, string tokensIn, string tokensOut, string cost) =>
            $"{repo.PadRight(width)}  {model.PadRight(modelWidth)}  {tasks,5}  {requests,8}  {tokensIn,12}  {tokensOut,12}  {cost,12}";
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\d{4}-(0[1-9]|1[0-2])$")]
    private static partial Regex MonthPattern();
}
