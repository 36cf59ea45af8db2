using Atom.Bot.Configuration;

namespace Atom.Bot.Proposals;

/// <summary>How many distinct tasks must show the same signal before it is a gap worth a proposal.</summary>
public sealed record GapThresholds
{
    /// <summary>Tasks (approved anyway: awaiting approval or merged) on which workers were refused the same path pattern.</summary>
    public int ScopeTasks { get; init; } = 3;

    /// <summary>Tasks on which the same tool failed or the same unknown tool was asked for.</summary>
    public int ToolingTasks { get; init; } = 3;

    /// <summary>Tasks whose tests hit <c>test_timeout_seconds</c>.</summary>
    public int TestTimeoutTasks { get; init; } = 2;

    /// <summary>Tasks that got the same auditor finding or reviewer feedback.</summary>
    public int SkillTasks { get; init; } = 3;

    /// <summary>Tasks whose plans named the same skill as missing (one the default branch does not have).</summary>
    public int MissingSkillTasks { get; init; } = 3;

    /// <summary>How many of a repository's newest tasks are read.</summary>
    public int RecentTasks { get; init; } = 100;

    public static GapThresholds Default { get; } = new();

    /// <summary>These thresholds with the repository's <c>proposals.thresholds</c> (from its default branch) in force.</summary>
    public GapThresholds For(ProposalThresholds repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return this with
        {
            ScopeTasks = repository.Scope,
            ToolingTasks = repository.Tooling,
            TestTimeoutTasks = repository.Settings,
            SkillTasks = repository.Skill,
            MissingSkillTasks = repository.MissingSkill,
        };
    }
}
