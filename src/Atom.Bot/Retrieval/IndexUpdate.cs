namespace Atom.Bot.Retrieval;

/// <summary>
/// What bringing an index to a commit did: the paths (re-)read because their blob changed or is new, the paths dropped,
/// and how many were left as they were.
/// </summary>
public sealed record IndexUpdate(string Commit, IReadOnlyList<string> Indexed, IReadOnlyList<string> Deleted, int Unchanged);
