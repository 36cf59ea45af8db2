namespace Atom.Bot.Proposals;

/// <summary>One task that shows a gap: its id, its issue and what happened there (a refused path, a finding).</summary>
public sealed record GapEvidence(long TaskId, int Issue, string Detail);
