namespace Atom.Bot.Certification;

public sealed record PackageApproval(int RequiredApprovals, IReadOnlyList<string> Approvers, bool RequesterCanApprove, bool MergeOnApproval, string MergeMethod);
