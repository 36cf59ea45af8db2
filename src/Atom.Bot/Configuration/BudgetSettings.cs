namespace Atom.Bot.Configuration;

/// <summary>
/// <c>budget</c> in <c>.github/atom.yml</c>: the most tokens (prompt + completion, as stored for every LLM request) a
/// task and the repository in a calendar month (UTC) may use; 0 means no limit.
/// </summary>
public sealed record BudgetSettings
{
    public long MaxTokensPerTask { get; init; }

    public long MaxTokensPerMonth { get; init; }
}
