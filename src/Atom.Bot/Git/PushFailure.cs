namespace Atom.Bot.Git;

/// <summary>Why a push did not land.</summary>
public enum PushFailure
{
    /// <summary>The remote branch has commits the push does not contain (non-fast-forward, "fetch first"). Atom never forces.</summary>
    NotFastForward,

    /// <summary>The remote refused the update: a hook, branch protection, a ref conflict.</summary>
    RemoteRejected,

    /// <summary>The token was missing, wrong, expired or lacks permission.</summary>
    AuthenticationFailed,

    /// <summary>Anything else: the remote was unreachable, the transfer broke.</summary>
    Failed,
}
