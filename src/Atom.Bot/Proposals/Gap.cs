namespace Atom.Bot.Proposals;

/// <summary>
/// What the workers lacked, found by a deterministic rule over finished tasks. <see cref="Key"/> identifies the gap
/// within its category (a path pattern, a tool error, a finding): one open proposal per category and key.
/// </summary>
public sealed record Gap(ProposalCategory Category, string Key, string Title, string Description, IReadOnlyList<GapEvidence> Evidence)
{
    /// <summary>For a scope gap: a path that was refused, to check a proposed scope against.</summary>
    public string? SamplePath { get; init; }

    /// <summary>For a skill gap the plans named: the skill's name, as the proposal's file will be called.</summary>
    public string? SkillName { get; init; }

    /// <summary>The tasks the evidence comes from, each once.</summary>
    public IReadOnlyList<long> TaskIds => Evidence.Select(e => e.TaskId).Distinct().Order().ToList();
}
