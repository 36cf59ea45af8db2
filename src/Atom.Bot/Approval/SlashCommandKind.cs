namespace Atom.Bot.Approval;

/// <summary>The slash commands of DESIGN.md.</summary>
public enum SlashCommandKind
{
    Approve,
    Reject,
    Revise,
    Retry,
    Cancel,
    Status,
    Help,
}
