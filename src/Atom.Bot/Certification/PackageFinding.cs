namespace Atom.Bot.Certification;

public sealed record PackageFinding(string Severity, string Message, string? Path);
