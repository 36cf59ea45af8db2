using Atom.Bot.Certification;
using Atom.Bot.Git;
using Atom.Bot.Tasks;
using Atom.Bot.Workers;

namespace Atom.Bot.Supervisor;

/// <summary>The evaluation of one round's combined result, independent of what the workers said about it.</summary>
public sealed record Evaluation
{
    public required EvaluationDecision Decision { get; init; }

    /// <summary>The task branch's head that was evaluated; empty when nothing was produced.</summary>
    public required string HeadSha { get; init; }

    public IReadOnlyList<ChangedFile> Changes { get; init; } = [];
    public IReadOnlyList<ScopeViolation> Violations { get; init; } = [];
    public PackageTests? Tests { get; init; }
    public AuditorVerdict? Verdict { get; init; }
    public string? AuditorError { get; init; }

    /// <summary>The model the second auditor (<c>ATOM_AUDITOR2_*</c>) was asked as; null when none is set or it was not asked.</summary>
    public string? SecondAuditorModel { get; init; }

    /// <summary>The second auditor's verdict (<c>ATOM_AUDITOR2_*</c>); null when none is set or it gave none.</summary>
    public AuditorVerdict? SecondVerdict { get; init; }

    /// <summary>Whether the two verdicts agree (<see cref="Auditor.Disagreement"/>); null unless both auditors gave one.</summary>
    public bool? AuditorsAgree { get; init; }

    /// <summary>Why the second auditor gave no verdict (unreachable, unusable answers after the retries); null otherwise.</summary>
    public string? SecondAuditorError { get; init; }

    /// <summary>Why it does not pass; empty when it does.</summary>
    public IReadOnlyList<string> Reasons { get; init; } = [];

    /// <summary>What the next round must address (test output, auditor findings).</summary>
    public string? Feedback { get; init; }
}
