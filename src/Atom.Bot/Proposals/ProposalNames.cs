namespace Atom.Bot.Proposals;

/// <summary>Database and YAML names of categories and states.</summary>
public static class ProposalNames
{
    public static string ToName(this ProposalCategory category) => category.ToString().ToLowerInvariant();

    public static string ToName(this ProposalState state) => state == ProposalState.PrOpen ? "pr_open" : state.ToString().ToLowerInvariant();

    public static ProposalCategory ParseCategory(string name) => Enum.Parse<ProposalCategory>(name, ignoreCase: true);

    public static ProposalState ParseState(string name) => Enum.Parse<ProposalState>(name.Replace("_", "", StringComparison.Ordinal), ignoreCase: true);

    /// <summary>States in which a proposal blocks another of the same category and key.</summary>
    public static bool IsActive(this ProposalState state) => state is ProposalState.Open or ProposalState.Approved or ProposalState.PrOpen;
}
