using Atom.Bot.Health;
using Atom.Bot.Tasks;

namespace Atom.Bot.Dashboard;

/// <summary>One task as the status page shows it: the stored task, its stored tokens, and its valid approvals of the certified head.</summary>
public sealed record StatusPageTask(AtomTask Task, long TokensIn, long TokensOut, int ValidApprovals)
{
    /// <summary>
    /// What the task waits for, in a few words (null while Atom itself is working on it, or once it is final): the
    /// platform, a human's approval or command, a rule of the base branch, or GitHub's merge queue.
    /// </summary>
    public string? WaitingFor(PlatformState platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        return Task.State switch
        {
            TaskState.Accepted when platform.Level == PlatformLevel.Critical => $"the platform: critical ({platform.Reason}); new tasks start when it is not",
            TaskState.Accepted => "its turn to be planned",
            TaskState.AwaitingApproval => $"approval: {ValidApprovals} valid approval(s) of {Abbreviate(Task.HeadSha)}",
            TaskState.MergeBlocked => $"a rule of the base branch: {Task.StateReason ?? "a required check or review"}",
            TaskState.MergeQueued => "GitHub's merge queue",
            TaskState.Failed or TaskState.Cancelled => "a human: /retry or /revise (or /reject)",
            _ => null,
        };
    }

    private static string Abbreviate(string? sha) => sha is null ? "the certified head" : sha[..Math.Min(7, sha.Length)];
}
