namespace Atom.Bot.Configuration;

/// <summary>
/// <c>proposals.thresholds</c>: how many distinct tasks must show the same signal before the supervisor proposes a
/// change (docs/proposals.md, "Gap detection"). Read from the default branch like every setting.
/// </summary>
public sealed record ProposalThresholds
{
    /// <summary>Tasks approved anyway on which workers were refused the same path pattern.</summary>
    public int Scope { get; init; } = 3;

    /// <summary>Tasks on which the same tool failed or the same unknown tool was asked for.</summary>
    public int Tooling { get; init; } = 3;

    /// <summary>Tasks whose tests hit <c>test_timeout_seconds</c>.</summary>
    public int Settings { get; init; } = 2;

    /// <summary>Tasks that got the same auditor finding or reviewer feedback.</summary>
    public int Skill { get; init; } = 3;

    /// <summary>Tasks whose plans named the same skill as missing.</summary>
    public int MissingSkill { get; init; } = 3;

    /// <summary>Every threshold at its lowest valid value (1 task): what any configuration could see as a gap.</summary>
    public static ProposalThresholds Lowest { get; } = new() { Scope = 1, Tooling = 1, Settings = 1, Skill = 1, MissingSkill = 1 };
}
