namespace Atom.Bot.Git;

/// <summary>
/// A commit of a mirror as objects: its tree, its parents and the first parent's tree, its message (trailers included)
/// and every path it changed against the first parent, for rebuilding the same tree elsewhere (GitHub's Git Data API).
/// </summary>
public sealed record CommitContents(string Sha, string TreeSha, IReadOnlyList<string> Parents, string ParentTreeSha, string Message, IReadOnlyList<CommitFile> Files);
