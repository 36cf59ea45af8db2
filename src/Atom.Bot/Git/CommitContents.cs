namespace Atom.Bot.Git;

/// <summary>
/// A commit of a worktree as objects: its tree, its one parent and the parent's tree, its message (trailers included)
/// and every path it changed, for rebuilding the same tree elsewhere (GitHub's Git Data API).
/// </summary>
public sealed record CommitContents(string Sha, string TreeSha, string ParentSha, string ParentTreeSha, string Message, IReadOnlyList<CommitFile> Files);
