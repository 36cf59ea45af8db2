using System.Diagnostics.CodeAnalysis;
using Atom.Bot.Tasks;

namespace Atom.Bot.Workers;

/// <summary>
/// The answer of <see cref="ScopeGuard.Check"/>: either the normalised path (relative, '/'-separated) and the full
/// path to do I/O on, or the <see cref="ScopeViolation"/> that says why not.
/// </summary>
public sealed record PathDecision
{
    private PathDecision(string? relativePath, string? fullPath, ScopeViolation? violation)
    {
        RelativePath = relativePath;
        FullPath = fullPath;
        Violation = violation;
    }

    /// <summary>Relative to the worktree root, '/'-separated; empty for the root itself (listing only).</summary>
    public string? RelativePath { get; }

    public string? FullPath { get; }

    public ScopeViolation? Violation { get; }

    [MemberNotNullWhen(true, nameof(RelativePath), nameof(FullPath))]
    [MemberNotNullWhen(false, nameof(Violation))]
    public bool IsAllowed => Violation is null;

    public static PathDecision Allowed(string relativePath, string fullPath) => new(relativePath, fullPath, null);

    public static PathDecision Refused(ScopeViolation violation) => new(null, null, violation);
}
