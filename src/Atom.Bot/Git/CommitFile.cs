namespace Atom.Bot.Git;

/// <summary>
/// One path a commit changed against its parent, as a tree entry: its mode (<c>100644</c>, <c>100755</c>, <c>120000</c>)
/// and content; <see cref="Content"/> null means the commit deleted it.
/// </summary>
public sealed record CommitFile(string Path, string Mode, byte[]? Content)
{
    public bool Deleted => Content is null;
}
