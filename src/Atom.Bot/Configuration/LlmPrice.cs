namespace Atom.Bot.Configuration;

/// <summary>What a million prompt (<see cref="Input"/>) and completion (<see cref="Output"/>) tokens of one model cost.</summary>
public sealed record LlmPrice(decimal Input, decimal Output)
{
    private const decimal Million = 1_000_000m;

    public decimal Cost(long tokensIn, long tokensOut) => ((tokensIn * Input) + (tokensOut * Output)) / Million;
}
