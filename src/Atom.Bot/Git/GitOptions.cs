using Atom.Bot.Configuration;

namespace Atom.Bot.Git;

/// <summary>
/// What the git classes need of the configuration: where mirrors, worktrees, spares and trash live (all under
/// <c>ATOM_DATA_DIR</c>), how many spare worktrees to keep, and the identity commits are made as. A slice of
/// <see cref="AtomOptions"/>, so these classes cannot reach the secrets they have no use for.
/// </summary>
public sealed record GitOptions
{
    /// <summary><c>ATOM_DATA_DIR/mirrors</c>: one bare mirror per repository.</summary>
    public required string MirrorsDirectory { get; init; }

    /// <summary><c>ATOM_DATA_DIR/worktrees</c>: one worktree per assignment.</summary>
    public required string WorktreesDirectory { get; init; }

    /// <summary><c>ATOM_DATA_DIR/worktrees/.spares</c>: worktrees checked out ahead of need.</summary>
    public required string SparesDirectory { get; init; }

    /// <summary><c>ATOM_DATA_DIR/worktrees/.trash</c>: worktrees moved aside to be deleted off the hot path.</summary>
    public required string TrashDirectory { get; init; }

    /// <summary>Spare worktrees kept per repository (<c>ATOM_WORKTREE_SPARES</c>).</summary>
    public required int WorktreeSpares { get; init; }

    public required string AuthorName { get; init; }

    public required string AuthorEmail { get; init; }

    /// <summary>How commits are made verifiable on GitHub (<c>ATOM_GIT_SIGNING</c>).</summary>
    public GitSigningMode SigningMode { get; init; } = GitSigningMode.Auto;

    /// <summary><c>ATOM_DATA_DIR/keys/git-signing</c>: the SSH key that signs commits (its public half beside it, <c>.pub</c>).</summary>
    public string SigningKeyPath { get; init; } = "";

    public static GitOptions From(AtomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var worktrees = Path.Combine(options.DataDir, "worktrees");
        return new GitOptions
        {
            MirrorsDirectory = Path.Combine(options.DataDir, "mirrors"),
            WorktreesDirectory = worktrees,
            SparesDirectory = Path.Combine(worktrees, ".spares"),
            TrashDirectory = Path.Combine(worktrees, ".trash"),
            WorktreeSpares = options.WorktreeSpares,
            AuthorName = options.GitAuthorName,
            AuthorEmail = options.GitAuthorEmail,
            SigningMode = options.GitSigning,
            SigningKeyPath = Path.Combine(options.DataDir, "keys", "git-signing"),
        };
    }
}
