namespace Atom.Bot.Supervisor;

/// <summary>One finding of the auditor model (or of the evaluation itself): severity info, warning or error.</summary>
public sealed record AuditorFinding(string Severity, string Message, string? Path = null);
