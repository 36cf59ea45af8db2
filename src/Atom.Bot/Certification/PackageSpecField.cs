namespace Atom.Bot.Certification;

/// <summary>One field of an approved skill spec (name, purpose, inputs, outputs, constraints) as the package shows it.</summary>
public sealed record PackageSpecField(string Name, string Value);
