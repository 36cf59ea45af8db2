namespace Atom.Bot.Tasks;

/// <summary>The stored tokens of one model (of a task, a repository or a month).</summary>
public sealed record ModelTokens(string Model, long TokensIn, long TokensOut);
