namespace Atom.Bot.GitHub;

/// <summary>Where a required check stands on one commit.</summary>
public enum CheckVerdict
{
    /// <summary>Not reported yet, queued or in progress.</summary>
    Pending,

    /// <summary>A check run concluded <c>success</c>, <c>neutral</c> or <c>skipped</c>, or a commit status is <c>success</c>.</summary>
    Passed,

    /// <summary>Any other conclusion (<c>failure</c>, <c>cancelled</c>, <c>timed_out</c>, ...), or a status <c>failure</c> or <c>error</c>.</summary>
    Failed,
}
