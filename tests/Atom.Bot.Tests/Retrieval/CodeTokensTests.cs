using Atom.Bot.Retrieval;

namespace Atom.Bot.Tests.Retrieval;

public sealed class CodeTokensTests
{
    [Theory]
    [InlineData("GitMirrors", new[] { "gitmirror", "git", "mirror" })]
    [InlineData("snake_case_name", new[] { "snakecasename", "snake", "case", "name" })]
    [InlineData("HTTPServer", new[] { "httpserver", "http", "server" })]
    [InlineData("parseUtf8Bytes", new[] { "parseutf8byte", "parse", "utf", "byte" })]
    [InlineData("ReadFilesAtAsync", new[] { "readfilesatasync", "read", "file", "async" })]
    public void An_identifier_is_kept_whole_without_underscores_and_split_into_its_words(string identifier, string[] expected)
    {
        CodeTokens.Of(identifier).ShouldBe(expected);
    }

    [Fact]
    public void Prose_loses_stop_words_numbers_and_single_letters_and_plurals_meet_singulars()
    {
        CodeTokens.Of("The mirrors of a repository, fetched 3 times: x").ShouldBe(["mirror", "repository", "fetched", "time"]);
        CodeTokens.Of("mirror").ShouldBe(CodeTokens.Of("mirrors"));
    }

    [Fact]
    public void A_path_gives_its_folders_file_name_and_extension()
    {
        CodeTokens.OfPath("src/Atom.Bot/Git/GitMirrors.cs").ShouldBe(["src", "atom", "bot", "git", "gitmirror", "git", "mirror", "cs"]);
        CodeTokens.OfPath("docs/getting-started.md").ShouldBe(["doc", "getting", "started", "md"]);
    }

    [Fact]
    public void Overlong_runs_are_dropped_as_noise()
    {
        CodeTokens.Of(new string('a', CodeTokens.MaxTokenLength + 1) + " keep").ShouldBe(["keep"]);
    }
}
