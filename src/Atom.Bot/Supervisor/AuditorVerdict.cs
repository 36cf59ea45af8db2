namespace Atom.Bot.Supervisor;

/// <summary>The auditor model's verdict (docs/workflow.md): score 0..1, pass | needs_revision | fail, findings.</summary>
public sealed record AuditorVerdict(double Score, string Verdict, IReadOnlyList<AuditorFinding> Findings, string Model)
{
    public const string Pass = "pass";
    public const string NeedsRevision = "needs_revision";
    public const string Fail = "fail";
}
