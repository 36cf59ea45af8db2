namespace Atom.Bot.Git;

/// <summary>A commit made by <see cref="GitWorkspace.CommitAllAsync"/>: its SHA and what it changed against its parent.</summary>
public sealed record CommitOutcome(string Sha, IReadOnlyList<string> Files, int LinesAdded, int LinesRemoved)
{
    public int FilesChanged => Files.Count;
}
