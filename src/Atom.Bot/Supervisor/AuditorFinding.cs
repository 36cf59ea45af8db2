using Atom.Bot.Certification;

namespace Atom.Bot.Supervisor;

/// <summary>One finding of the auditor model (or of the evaluation itself): severity info, warning or error.</summary>
public sealed record AuditorFinding(string Severity, string Message, string? Path = null)
{
    /// <summary>The package's rows for the auditor's findings, for task and proposal packages alike.</summary>
    public static IReadOnlyList<PackageFinding> ToPackage(IEnumerable<AuditorFinding> findings) =>
        findings.Select(f => new PackageFinding(f.Severity, f.Message, f.Path)).ToList();
}
