namespace Atom.Bot.Proposals;

/// <summary>open → approved → pr_open → merged, or rejected / failed.</summary>
public enum ProposalState
{
    Open,
    Approved,
    PrOpen,
    Merged,
    Rejected,
    Failed,
}
