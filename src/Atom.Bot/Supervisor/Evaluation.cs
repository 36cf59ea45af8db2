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

    /// <summary>Why it does not pass; empty when it does.</summary>
    public IReadOnlyList<string> Reasons { get; init; } = [];

    /// <summary>What the next round must address (test output, auditor findings).</summary>
    public string? Feedback { get; init; }
}
