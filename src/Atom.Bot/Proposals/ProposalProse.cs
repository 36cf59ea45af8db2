namespace Atom.Bot.Proposals;

/// <summary>
/// The words of a proposal: the model's explanation (already made inert for a GitHub body) and the change with the
/// model's wording of a skill spec, or the templates' when <see cref="Model"/> is null.
/// </summary>
public sealed record ProposalProse(string? Explanation, ProposedChange Change, string? Model)
{
    public static ProposalProse Template(ProposedChange change) => new(null, change, null);
}
