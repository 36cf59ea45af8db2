using Atom.Bot.GitHub;

namespace Atom.Bot.Tests.GitHub;

public sealed class GitHubWebUrlsTests
{
    [Theory]
    [InlineData("https://api.github.com/", "https://github.com/")]
    [InlineData("https://api.github.com", "https://github.com/")]
    [InlineData("https://ghe.example.com/api/v3/", "https://ghe.example.com/")]
    [InlineData("https://ghe.example.com/", "https://ghe.example.com/")]
    [InlineData("https://example.com/github/api/v3", "https://example.com/github/")]
    [InlineData("http://127.0.0.1:9999/", "http://127.0.0.1:9999/")]
    [InlineData("https://user:secret@ghe.example.com:8443/api/v3/", "https://ghe.example.com:8443/")]
    public void Base_is_the_web_root_of_the_configured_api(string api, string web) =>
        GitHubWebUrls.Base(new Uri(api)).AbsoluteUri.ShouldBe(web);

    [Fact]
    public void Issue_and_pull_request_links_escape_each_part_of_the_repository_name()
    {
        var web = new Uri("https://ghe.example.com/");

        GitHubWebUrls.Issue(web, "octo-org/widgets", 7).AbsoluteUri.ShouldBe("https://ghe.example.com/octo-org/widgets/issues/7");
        GitHubWebUrls.PullRequest(web, "octo-org/widgets", 12).AbsoluteUri.ShouldBe("https://ghe.example.com/octo-org/widgets/pull/12");
        GitHubWebUrls.Issue(web, "a\"b/<x>?y#z", 1).AbsoluteUri.ShouldBe("https://ghe.example.com/a%22b/%3Cx%3E%3Fy%23z/issues/1");
    }
}
