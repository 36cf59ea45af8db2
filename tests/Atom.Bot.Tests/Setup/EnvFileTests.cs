using System.Diagnostics;
using Atom.Bot.Setup;

namespace Atom.Bot.Tests.Setup;

public sealed class EnvFileTests
{
    [Fact]
    public void Plain_values_stay_plain_and_the_comment_is_commented()
    {
        var text = EnvFile.Format("for the App octoapp\nkeep it private", [new("ATOM_GITHUB_APP_ID", "42"), new("ATOM_GITHUB_API_URL", "https://ghe.example.com/api/v3/"), new("ATOM_GITHUB_APP_PRIVATE_KEY_PATH", "/srv/atom/octoapp.private-key.pem")]);

        text.ShouldBe("""
            # for the App octoapp
            # keep it private
            ATOM_GITHUB_APP_ID=42
            ATOM_GITHUB_API_URL=https://ghe.example.com/api/v3/
            ATOM_GITHUB_APP_PRIVATE_KEY_PATH=/srv/atom/octoapp.private-key.pem

            """.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("/home/a b/key.pem", "'/home/a b/key.pem'")]
    [InlineData("it's $HOME `x`", "'it'\\''s $HOME `x`'")]
    [InlineData("", "''")]
    public void Values_a_shell_would_change_are_single_quoted(string value, string expected) => EnvFile.Quote(value).ShouldBe(expected);

    [Fact]
    public void A_value_on_two_lines_is_refused() => Should.Throw<ArgumentException>(() => EnvFile.Quote("a\nb"));

    [Fact]
    public async Task Sourcing_the_file_in_a_shell_gives_back_every_value_unchanged()
    {
        if (!File.Exists("/bin/sh"))
        {
            Assert.Skip("no /bin/sh");
        }

        string[] values = ["42", "/home/a b/it's.pem", "$(touch /tmp/x) `id` \"q\" \\ ;|&", "e340154128314309424b7c8e90325147d99fdafa"];
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, EnvFile.Format("test", values.Select((v, i) => new KeyValuePair<string, string>($"V{i}", v))));
            var start = new ProcessStartInfo("/bin/sh", ["-c", $"set -a; . '{path}'; set +a; printf '%s\\n' \"$V0\" \"$V1\" \"$V2\" \"$V3\""]) { RedirectStandardOutput = true };
            using var shell = Process.Start(start)!;
            var printed = await shell.StandardOutput.ReadToEndAsync();
            await shell.WaitForExitAsync();

            printed.Split('\n')[..4].ShouldBe(values);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Private_file_is_0600_and_never_written_over_an_existing_one()
    {
        var directory = Directory.CreateTempSubdirectory("atom-private-file-");
        try
        {
            var path = Path.Combine(directory.FullName, "atom.env");
            (await PrivateFile.TryCreateAsync(path, "first\n", CancellationToken.None)).ShouldBeTrue();
            (await PrivateFile.TryCreateAsync(path, "second\n", CancellationToken.None)).ShouldBeFalse();

            (await File.ReadAllTextAsync(path)).ShouldBe("first\n");
            File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
