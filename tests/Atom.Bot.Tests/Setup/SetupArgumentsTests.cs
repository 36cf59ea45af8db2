using Atom.Bot.Setup;

namespace Atom.Bot.Tests.Setup;

public sealed class SetupArgumentsTests
{
    private static readonly string Here = Path.GetTempPath();

    [Fact]
    public void Github_com_is_the_default_and_its_api_has_its_own_host()
    {
        var (arguments, error) = SetupArguments.Parse(["--webhook-url", "https://atom.example.com"], Here);

        error.ShouldBeNull();
        arguments.ShouldNotBeNull().Site.ShouldBe(GitHubSite.GitHubCom);
        arguments.Site.IsGitHubCom.ShouldBeTrue();
        arguments.Site.NewAppPage(null, "s1").ToString().ShouldBe("https://github.com/settings/apps/new?state=s1");
        arguments.Site.Conversion("c0de").ToString().ShouldBe("https://api.github.com/app-manifests/c0de/conversions");
        arguments.WebhookUrl.ToString().ShouldBe("https://atom.example.com/api/github/webhooks");
        arguments.OutputDirectory.ShouldBe(Here);
        arguments.Port.ShouldBe(0);
        arguments.Name.ShouldMatch("^atom-[0-9a-f]{6}$");
    }

    [Fact]
    public void Enterprise_server_serves_the_same_pages_on_its_host_and_the_api_under_api_v3()
    {
        var (arguments, _) = SetupArguments.Parse(["--github-url", "https://ghe.example.com/some/page", "--org", "octo-org", "--webhook-url", "https://atom.example.com/hooks", "--port", "8765"], Here);

        var site = arguments.ShouldNotBeNull().Site;
        site.IsGitHubCom.ShouldBeFalse();
        site.Api.ToString().ShouldBe("https://ghe.example.com/api/v3/");
        site.NewAppPage("octo-org", "s1").ToString().ShouldBe("https://ghe.example.com/organizations/octo-org/settings/apps/new?state=s1");
        site.Conversion("c0de").ToString().ShouldBe("https://ghe.example.com/api/v3/app-manifests/c0de/conversions");
        arguments.Name.ShouldBe("atom-octo-org");
        arguments.Port.ShouldBe(8765);
    }

    [Theory]
    [InlineData(new string[0], "--webhook-url is required")]
    [InlineData(new[] { "--webhook-url", "atom.example.com" }, "is not an http(s) URL")]
    [InlineData(new[] { "--webhook-url", "https://user:pw@atom.example.com" }, "is not an http(s) URL")]
    [InlineData(new[] { "--webhook-url", "https://a.example.com", "--org", "../x" }, "is not an organisation's login")]
    [InlineData(new[] { "--webhook-url", "https://a.example.com", "--port", "70000" }, "is not a port number")]
    [InlineData(new[] { "--webhook-url", "https://a.example.com", "--out", "/does/not/exist" }, "is not a directory")]
    [InlineData(new[] { "--webhook-url", "https://a.example.com", "--name", "a-name-much-longer-than-thirty-four-characters" }, "1 to 34 characters")]
    [InlineData(new[] { "--webhook-url", "https://a.example.com", "--verbose" }, "unexpected '--verbose'")]
    public void Bad_arguments_are_named(string[] args, string expected)
    {
        var (arguments, error) = SetupArguments.Parse(args, Here);

        arguments.ShouldBeNull();
        error.ShouldNotBeNull().ShouldContain(expected);
    }
}
