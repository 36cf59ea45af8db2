namespace Atom.Bot.Workers;

/// <summary>Lines added and removed between two versions of one file.</summary>
internal readonly record struct LineChange(int Added, int Removed)
{
    public int Total => Added + Removed;
}
