namespace Atom.Bot.GitHub;

/// <summary>
/// A commit to make through the Git Data API: its parents (already at GitHub), the first parent's tree (the base of the
/// new tree), the files that differ from that tree, the message, and the tree SHA the result must have (the local
/// commit's): anything else is refused.
/// </summary>
public sealed record GitDataCommitRequest(IReadOnlyList<string> Parents, string ParentTreeSha, string ExpectedTreeSha, string Message, IReadOnlyList<GitDataFile> Files);
