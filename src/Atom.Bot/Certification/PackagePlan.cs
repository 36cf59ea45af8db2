namespace Atom.Bot.Certification;

public sealed record PackagePlan(string Rationale, string? Fallback, IReadOnlyList<PackageAssignment> Assignments);
