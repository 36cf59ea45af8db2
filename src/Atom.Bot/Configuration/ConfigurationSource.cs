namespace Atom.Bot.Configuration;

/// <summary>Where an effective setting came from, highest precedence first.</summary>
public enum ConfigurationSource
{
    Environment,
    WorkingDirectoryFile,
    UserFile,
    Default,
    Unset,
}
