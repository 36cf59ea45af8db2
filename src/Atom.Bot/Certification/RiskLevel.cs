namespace Atom.Bot.Certification;

public enum RiskLevel
{
    Low,
    Medium,
    High,
}
