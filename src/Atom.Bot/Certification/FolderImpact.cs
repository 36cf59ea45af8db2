namespace Atom.Bot.Certification;

/// <summary>The changes under one top-level folder (<see cref="ImpactAnalysis.RootFolder"/> for files at the root).</summary>
public sealed record FolderImpact(string Folder, int Files, int Added, int Removed);
