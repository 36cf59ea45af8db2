namespace Atom.Bot.Git;

/// <summary>
/// A commit made by <see cref="GitWorkspace.CommitAllAsync"/>: its SHA and what it changed against its parent.
/// <see cref="TreeSha"/> is its tree; <see cref="SigningKeyFingerprint"/> is the SSH key that signed it, if one did.
/// </summary>
public sealed record CommitOutcome(string Sha, IReadOnlyList<string> Files, int LinesAdded, int LinesRemoved)
{
    public int FilesChanged => Files.Count;

    public string TreeSha { get; init; } = "";

    public string? SigningKeyFingerprint { get; init; }
}
