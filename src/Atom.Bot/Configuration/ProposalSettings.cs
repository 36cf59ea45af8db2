namespace Atom.Bot.Configuration;

public sealed record ProposalSettings
{
    /// <summary>Proposal categories whose spec is approved automatically (e.g. <c>skill</c>); never the merge.</summary>
    public string[] AutoApprove { get; init; } = [];

    public ProposalThresholds Thresholds { get; init; } = new();
}
