namespace Atom.Bot.Certification;

/// <summary>One file of the diff; <paramref name="Status"/> is added, modified, deleted, renamed.</summary>
public sealed record PackageChange(string Path, string? OldPath, string Status, int Added, int Removed, bool Binary);
