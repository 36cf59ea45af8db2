using Atom.Bot.Approval;

namespace Atom.Bot.Tests.Approval;

/// <summary>CODEOWNERS as GitHub reads it: gitignore-like patterns, the last matching rule wins, comments and escapes.</summary>
public sealed class CodeOwnersFileTests
{
    // GitHub's own example file (docs: "About code owners"), trimmed to the rules these tests use.
    private const string Example = """
        # This is a comment.
        *       @global-owner1 @global-owner2
        *.js    @js-owner #This is an inline comment.
        *.go docs@example.com
        /build/logs/ @doctocat
        docs/*  docs@example.com
        apps/ @octocat
        /docs/ @doctocat
        /scripts/ @doctocat @octocat
        **/logs @octocat
        /apps/ @octocat
        /apps/github
        """;

    [Theory]
    [InlineData("README.md", "@global-owner1 @global-owner2")]
    [InlineData("src/app.js", "@js-owner")]
    [InlineData("deep/down/lib.js", "@js-owner")]
    [InlineData("main.go", "docs@example.com")]
    [InlineData("build/logs/today.txt", "@octocat")]
    [InlineData("docs/getting-started.md", "@doctocat")]
    [InlineData("scripts/run.sh", "@doctocat @octocat")]
    [InlineData("any/where/logs/x.txt", "@octocat")]
    [InlineData("apps/web/index.html", "@octocat")]
    [InlineData("apps/github/index.html", "")]
    public void The_last_matching_rule_decides(string path, string owners)
    {
        string.Join(' ', CodeOwnersFile.Parse(Example).OwnersOf(path)).ShouldBe(owners);
    }

    [Theory]
    [InlineData("docs/*", "docs/a.md", true)]
    [InlineData("docs/*", "docs/build-app/troubleshooting.md", false)]
    [InlineData("docs/*", "src/docs/a.md", false)]
    [InlineData("apps/", "apps/a.txt", true)]
    [InlineData("apps/", "nested/apps/a.txt", true)]
    [InlineData("apps/", "apps", false)]
    [InlineData("/apps/", "nested/apps/a.txt", false)]
    [InlineData("src/greeting.txt", "src/greeting.txt", true)]
    [InlineData("src/greeting.txt", "lib/src/greeting.txt", false)]
    [InlineData("greeting.txt", "lib/src/greeting.txt", true)]
    [InlineData("docs", "docs/deep/file.md", true)]
    [InlineData("docs/**", "docs/deep/file.md", true)]
    [InlineData("**/logs", "logs/a", true)]
    [InlineData("a/**/b", "a/x/y/b", true)]
    [InlineData("a/**/b", "a/b", true)]
    [InlineData("*.md", "README.md", true)]
    [InlineData("*.md", "README.mdx", false)]
    [InlineData("file?.txt", "file1.txt", true)]
    [InlineData("file?.txt", "file12.txt", false)]
    [InlineData("/*", "README.md", true)]
    [InlineData("/*", "src/a.txt", false)]
    [InlineData("*", "src/a.txt", true)]
    [InlineData("with\\ space.txt", "with space.txt", true)]
    public void Patterns_match_the_way_GitHub_documents(string pattern, string path, bool matches)
    {
        (CodeOwnersFile.Parse($"{pattern} @owner").RuleFor(path) is not null).ShouldBe(matches);
    }

    [Fact]
    public void Comments_blank_lines_and_unsupported_syntax_are_skipped_and_an_escaped_hash_is_a_pattern()
    {
        var file = CodeOwnersFile.Parse("# heading\n\n!negated @nobody\n[abc].txt @nobody\n\\#notes.md @alice # owner\n*.txt   @org/team   @bob\r\n");

        file.Rules.Count.ShouldBe(2);
        file.OwnersOf("#notes.md").ShouldBe(["@alice"]);
        file.OwnersOf("a.txt").ShouldBe(["@org/team", "@bob"]);
        file.Rules[1].Line.ShouldBe(6);
        CodeOwnersFile.Parse(null).Rules.ShouldBeEmpty();
        CodeOwnersFile.Empty.OwnersOf("anything").ShouldBeEmpty();
    }
}
