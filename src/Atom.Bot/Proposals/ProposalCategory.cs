namespace Atom.Bot.Proposals;

/// <summary>What a proposal would change; the names are the <c>proposals.auto_approve</c> values.</summary>
public enum ProposalCategory
{
    /// <summary>A new <c>.atom/skills/&lt;name&gt;.md</c>, written by a worker whose scope is exactly that file.</summary>
    Skill,

    /// <summary>The repository scope in <c>.github/atom.yml</c>, changed mechanically.</summary>
    Scope,

    /// <summary>Another <c>.github/atom.yml</c> setting (e.g. <c>test_timeout_seconds</c>), changed mechanically.</summary>
    Settings,

    /// <summary>A report for Atom's maintainers (a tool that fails or is missing); nothing is built.</summary>
    Tooling,
}
