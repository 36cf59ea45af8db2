namespace Atom.Bot.Certification;

public sealed record PackageScope(IReadOnlyList<string> Allow, IReadOnlyList<string> Deny, int MaxFiles, int MaxChangedLines, IReadOnlyList<PackageRefusal> Refusals, IReadOnlyList<PackageRefusal> Violations);
