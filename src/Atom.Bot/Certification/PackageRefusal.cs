namespace Atom.Bot.Certification;

/// <summary>A path the scope refused (during the work) or a violation found in the final diff.</summary>
public sealed record PackageRefusal(string Path, string Reason);
