namespace Atom.Bot.GitHub;

/// <summary>
/// A commit to make through the Git Data API: the parent and its tree (the base of the new tree), the files that
/// differ from it, the message, and the tree SHA the result must have (the local commit's): anything else is refused.
/// </summary>
public sealed record GitDataCommitRequest(string ParentSha, string ParentTreeSha, string ExpectedTreeSha, string Message, IReadOnlyList<GitDataFile> Files);
