namespace Atom.Bot.Git;

/// <summary>The result of <see cref="GitWorkspace.CombineAsync"/>: the task branch's new SHA, or why it could not be made.</summary>
public sealed record CombineOutcome(
    string TargetBranch,
    string? Sha,
    CombineFailure? Failure,
    string? Reason,
    IReadOnlyList<string> ConflictingFiles,
    PushOutcome? Push)
{
    public bool Succeeded => Failure is null;

    /// <summary>The merge commits the combination made, in order (none when every branch fast-forwarded or was contained).</summary>
    public IReadOnlyList<string> MergeCommits { get; init; } = [];

    /// <summary>Merged in the mirror but not pushed: the caller puts <paramref name="sha"/> on the branch itself.</summary>
    public static CombineOutcome Merged(string target, string sha, IReadOnlyList<string> mergeCommits) =>
        new(target, sha, null, null, [], null) { MergeCommits = mergeCommits };

    public static CombineOutcome Combined(string target, string sha, PushOutcome push) => new(target, sha, null, null, [], push);

    public static CombineOutcome Conflicted(string target, string reason, IReadOnlyList<string> files) =>
        new(target, null, CombineFailure.Conflict, reason, files, null);

    public static CombineOutcome Missing(string target, string reason) => new(target, null, CombineFailure.MissingBranch, reason, [], null);

    public static CombineOutcome NotPushed(string target, string sha, PushOutcome push) =>
        new(target, sha, CombineFailure.PushFailed, push.Reason, [], push);
}
