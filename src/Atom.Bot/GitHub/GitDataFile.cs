namespace Atom.Bot.GitHub;

/// <summary>One path of a commit made through the Git Data API: its tree mode and content, null to delete it.</summary>
public sealed record GitDataFile(string Path, string Mode, byte[]? Content);
