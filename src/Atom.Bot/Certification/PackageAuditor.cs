namespace Atom.Bot.Certification;

public sealed record PackageAuditor(string Model, double? Score, string? Verdict, double MinScore, IReadOnlyList<PackageFinding> Findings, string? Error);
