namespace Atom.Bot.GitHub;

/// <summary>
/// GitHub would not issue an installation token for the repository and permissions a step needs: the App lacks a
/// permission (or the owner has not accepted it), or the repository is not part of the installation. Not something a
/// retry fixes; the message says what to grant.
/// </summary>
public sealed class GitHubTokenRefusedException : Exception
{
    public GitHubTokenRefusedException()
    {
    }

    public GitHubTokenRefusedException(string message)
        : base(message)
    {
    }

    public GitHubTokenRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
