namespace Atom.Bot.Workers;

/// <summary>What a tool wants to do with a path; reads and writes obey the same scope (see <see cref="ScopeGuard"/>).</summary>
public enum PathAccess
{
    Read,
    Write,
    Delete,
    List,
}
