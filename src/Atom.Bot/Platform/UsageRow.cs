namespace Atom.Bot.Platform;

/// <summary>Tokens of one repository and model (in a month or overall): <c>atom usage</c>'s line.</summary>
public sealed record UsageRow(string Repository, string Model, long Tasks, long Requests, long TokensIn, long TokensOut);
