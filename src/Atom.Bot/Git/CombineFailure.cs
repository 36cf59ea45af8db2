namespace Atom.Bot.Git;

/// <summary>Why assignment branches could not be combined into the task branch.</summary>
public enum CombineFailure
{
    /// <summary>Two branches change the same lines; <see cref="CombineOutcome.ConflictingFiles"/> names the files.</summary>
    Conflict,

    /// <summary>A branch to combine (or the base branch) is not at the remote.</summary>
    MissingBranch,

    /// <summary>The combined branch was built but the push failed; <see cref="CombineOutcome.Push"/> says why.</summary>
    PushFailed,
}
