namespace Atom.Bot.GitHub;

/// <summary>A required check on one commit: its verdict and what GitHub said (the conclusion or state).</summary>
public sealed record CheckOutcome(RequiredCheck Check, CheckVerdict Verdict, string Detail);
