namespace Atom.Bot.Git;

/// <summary>
/// Git failed where nothing but success was expected: the remote could not be fetched, the base branch does not
/// exist, a worktree could not be created. The message is git's own, with any token removed.
/// </summary>
public sealed class GitCommandException : Exception
{
    public GitCommandException()
    {
    }

    public GitCommandException(string message)
        : base(message)
    {
    }

    public GitCommandException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
