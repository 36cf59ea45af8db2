namespace Atom.Bot.Git;

public enum FileChangeStatus
{
    Added,
    Modified,
    Deleted,
    Renamed,
    Copied,

    /// <summary>The same path changed kind (a file became a symlink or a submodule, or the reverse).</summary>
    TypeChanged,
}
