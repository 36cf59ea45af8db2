namespace Atom.Bot.Configuration;

public enum SettingKind
{
    Text,
    Url,
    PositiveInteger,
    NonNegativeInteger,
}
