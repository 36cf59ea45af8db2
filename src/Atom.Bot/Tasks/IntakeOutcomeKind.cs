namespace Atom.Bot.Tasks;

public enum IntakeOutcomeKind
{
    Accepted,
    Ignored,
    Refused,
    Cancelled,
}
