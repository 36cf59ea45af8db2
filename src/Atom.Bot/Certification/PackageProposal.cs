namespace Atom.Bot.Certification;

/// <summary>
/// What a proposal's package certifies in place of a task's plan: the spec an approver approved (the fields of a skill
/// spec, or the exact <c>.github/atom.yml</c> diff), the one file it may change, and the checks its result passed.
/// <paramref name="ModelInvolved"/> is false for a change applied mechanically.
/// </summary>
public sealed record PackageProposal(
    long Id,
    string Category,
    string ApprovedBy,
    bool AutoApproved,
    string File,
    bool ModelInvolved,
    IReadOnlyList<PackageSpecField> Spec,
    string? Diff,
    string ChangeHash,
    IReadOnlyList<string> Checks);
