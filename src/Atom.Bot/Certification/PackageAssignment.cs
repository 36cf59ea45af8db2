namespace Atom.Bot.Certification;

public sealed record PackageAssignment(int Ordinal, string Title, string Outcome, string Summary, int Steps, int Refusals, IReadOnlyList<string> Allow);
