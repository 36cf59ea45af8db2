namespace Atom.Bot.Certification;

/// <summary>Who was asked for a review, and whom GitHub would not let Atom ask (with GitHub's reason).</summary>
public sealed record ReviewRequestOutcome(IReadOnlyList<string> Requested, IReadOnlyList<(string Login, string Reason)> Refused);
