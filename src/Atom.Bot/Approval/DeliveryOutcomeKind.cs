namespace Atom.Bot.Approval;

/// <summary>What became of a delivery: acted on, not anyone's business, or turned down with a reason.</summary>
public enum DeliveryOutcomeKind
{
    Handled,
    Ignored,
    Refused,
}
