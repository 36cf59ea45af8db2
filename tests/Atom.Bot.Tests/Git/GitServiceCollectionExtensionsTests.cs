using Atom.Bot.Configuration;
using Atom.Bot.Git;

namespace Atom.Bot.Tests.Git;

public sealed class GitServiceCollectionExtensionsTests
{
    [Fact]
    public void AddGit_registers_one_workspace_rooted_in_the_data_directory()
    {
        using var services = new ServiceCollection().AddLogging().AddGit(Options()).BuildServiceProvider();

        var workspace = services.GetRequiredService<GitWorkspace>();

        services.GetRequiredService<GitWorkspace>().ShouldBeSameAs(workspace);
        var repo = new RepositoryRef("Acme", "Widgets", "https://github.com/Acme/Widgets.git");
        workspace.MirrorPath(repo).ShouldBe("/var/lib/atom/mirrors/acme/widgets.git");
        workspace.WorktreePath(repo, "atom/issue-5/fix-it/2").ShouldBe("/var/lib/atom/worktrees/acme/widgets/atom+issue-5+fix-it+2");
    }

    [Theory]
    [InlineData("..", "widgets")]
    [InlineData("acme", "../etc")]
    [InlineData("acme/evil", "widgets")]
    [InlineData("", "widgets")]
    public void Owner_and_name_that_could_escape_the_data_directory_are_refused(string owner, string name)
    {
        using var services = new ServiceCollection().AddLogging().AddGit(Options()).BuildServiceProvider();
        var workspace = services.GetRequiredService<GitWorkspace>();

        Should.Throw<ArgumentException>(() => workspace.MirrorPath(new RepositoryRef(owner, name, "https://example.com/x.git")));
    }

    private static AtomOptions Options() => new()
    {
        WebhookSecret = "unused",
        GitHubApiUrl = new Uri("http://127.0.0.1:9/"),
        LlmBaseUrl = new Uri("http://127.0.0.1:9/v1"),
        LlmModel = "unused",
        LlmConcurrency = 1,
        AuditorBaseUrl = new Uri("http://127.0.0.1:9/v1"),
        AuditorModel = "unused",
        DataDir = "/var/lib/atom",
        JobStorage = "memory",
        LlmTimeoutSeconds = 120,
        WorkerMaxSteps = 40,
        MaxAssignments = 4,
        GitAuthorName = "atom-bot",
        GitAuthorEmail = "atom-bot@users.noreply.example.com",
    };
}
