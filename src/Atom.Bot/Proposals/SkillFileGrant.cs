using Atom.Bot.Tasks;

namespace Atom.Bot.Proposals;

/// <summary>
/// The one exception to "<c>.atom/**</c> is never writable": write access to exactly one skill file, for the worker
/// that builds an approved skill proposal. It is not a <see cref="Tasks.Scope"/> and has no public constructor, so
/// no plan, setting or model output can produce one; only <see cref="ForApproved"/> can, from a proposal in the store
/// whose spec a human (or the repository's <c>auto_approve</c>) approved.
/// </summary>
public sealed class SkillFileGrant
{
    private SkillFileGrant(string path) => Path = path;

    /// <summary>The only path the grant opens: <c>.atom/skills/&lt;name&gt;.md</c>.</summary>
    public string Path { get; }

    /// <summary>The grant for an approved skill proposal; null for any other proposal or a spec whose name is not a plain skill name.</summary>
    public static SkillFileGrant? ForApproved(Proposal proposal)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        return proposal is { Category: ProposalCategory.Skill, State: ProposalState.Approved, ApprovedBy: not null, Change.Skill: { } spec }
            && SkillNames.IsValidName(spec.Name)
            ? new SkillFileGrant(SkillNames.PathOf(spec.Name))
            : null;
    }
}
