namespace Atom.Bot.Approval;

/// <summary>The slash commands (docs/approval.md).</summary>
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
