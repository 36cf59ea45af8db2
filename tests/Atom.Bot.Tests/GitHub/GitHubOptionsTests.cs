using Atom.Bot.GitHub;
using Atom.Bot.Tests.Configuration;

namespace Atom.Bot.Tests.GitHub;

public sealed class GitHubOptionsTests
{
    [Fact]
    public void From_copies_the_api_url_and_credentials_and_ToString_masks_the_token()
    {
        var options = SampleAtomOptions.Create();

        var gitHub = GitHubOptions.From(options);

        gitHub.GitHubApiUrl.ShouldBe(options.GitHubApiUrl);
        (gitHub.GitHubToken, gitHub.GitHubAppId, gitHub.GitHubAppPrivateKeyPath).ShouldBe((SampleAtomOptions.GitHubToken, 4242L, "/etc/atom/app.pem"));
        gitHub.ToString().ShouldNotContain(SampleAtomOptions.GitHubToken);
        gitHub.ToString().ShouldContain("/etc/atom/app.pem");
    }
}
