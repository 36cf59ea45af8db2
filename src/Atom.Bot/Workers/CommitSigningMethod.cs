namespace Atom.Bot.Workers;

/// <summary>How one assignment's commit is made: plain, SSH-signed by Atom, or made (and signed) by GitHub through the Git Data API.</summary>
public enum CommitSigningMethod
{
    None,
    Ssh,
    Api,
}
