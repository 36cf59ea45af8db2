namespace Atom.Bot.Git;

/// <summary>
/// One path in a diff. <see cref="OldPath"/> is set for renames and copies. <see cref="IsSymlink"/> and
/// <see cref="IsSubmodule"/> describe the new entry (false for a deletion); the scope re-check refuses both.
/// </summary>
public sealed record ChangedFile(
    string Path,
    string? OldPath,
    FileChangeStatus Status,
    int LinesAdded,
    int LinesRemoved,
    bool IsBinary,
    bool IsSymlink,
    bool IsSubmodule);
