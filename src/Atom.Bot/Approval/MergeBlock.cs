namespace Atom.Bot.Approval;

/// <summary>
/// What keeps GitHub from merging an approved head, in the words said on the pull request and on <c>/status</c>:
/// <paramref name="Kind"/> is <c>reviews</c> or <c>checks</c>; <paramref name="Failing"/> when a required check failed
/// (reported, not retried) rather than not finished yet.
/// </summary>
public sealed record MergeBlock(string Kind, string Reason, bool Failing);
