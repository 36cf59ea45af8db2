using Atom.Bot.Configuration;
using Atom.Bot.Tests.Configuration;
using Atom.Bot.Git;

namespace Atom.Bot.Tests.Git;

public sealed class GitOptionsTests
{
    [Fact]
    public void From_derives_the_paths_from_the_data_directory_and_copies_spares_and_author()
    {
        var git = GitOptions.From(Options() with { WorktreeSpares = 5 });

        git.MirrorsDirectory.ShouldBe("/var/lib/atom/mirrors");
        git.WorktreesDirectory.ShouldBe("/var/lib/atom/worktrees");
        git.SparesDirectory.ShouldBe("/var/lib/atom/worktrees/.spares");
        git.TrashDirectory.ShouldBe("/var/lib/atom/worktrees/.trash");
        git.WorktreeSpares.ShouldBe(5);
        git.AuthorName.ShouldBe("atom-bot");
        git.AuthorEmail.ShouldBe("atom-bot@users.noreply.example.com");
        git.SigningKeyPath.ShouldBe("/var/lib/atom/keys/git-signing");
        git.SigningMode.ShouldBe(GitSigningMode.Auto);
    }

    private static AtomOptions Options() => SampleAtomOptions.Create() with { GitHubAppPrivateKeyPath = null };
}
