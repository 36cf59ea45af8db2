using Atom.Bot.Tests.Configuration;
using Atom.Bot.Git;

namespace Atom.Bot.Tests.Git;

public sealed class GitCommandTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("atom-git-command-").FullName;

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    [Fact]
    public async Task Signing_key_is_made_once_with_mode_0600_and_only_its_public_half_is_printed()
    {
        var options = SampleAtomOptions.Create() with { DataDir = _dataDir };
        using var first = new StringWriter();
        using var second = new StringWriter();
        using var error = new StringWriter();

        (await GitCommand.RunAsync(["signing-key"], options, first, error, TestContext.Current.CancellationToken)).ShouldBe(0, error.ToString());
        (await GitCommand.RunAsync(["signing-key"], options, second, error, TestContext.Current.CancellationToken)).ShouldBe(0, error.ToString());

        var key = Path.Combine(_dataDir, "keys", "git-signing");
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(key).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var printed = first.ToString();
        printed.ShouldStartWith("ssh-ed25519 ");
        printed.ShouldContain("fingerprint: SHA256:");
        printed.ShouldContain("Signing Key");
        printed.ShouldNotContain("BEGIN OPENSSH PRIVATE KEY");
        printed.ShouldNotContain(File.ReadAllLines(key)[1]);
        second.ToString().ShouldBe(printed, "the key is made once and read afterwards");
        File.ReadAllText(key + ".pub").Trim().ShouldBe(printed.Split('\n')[0].Trim());
    }

    [Fact]
    public async Task Signing_key_readable_by_others_is_refused()
    {
        var options = SampleAtomOptions.Create() with { DataDir = _dataDir };
        using var output = new StringWriter();
        using var error = new StringWriter();
        (await GitCommand.RunAsync(["signing-key"], options, output, error, TestContext.Current.CancellationToken)).ShouldBe(0);
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.SetUnixFileMode(Path.Combine(_dataDir, "keys", "git-signing"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        (await GitCommand.RunAsync(["signing-key"], options, output, error, TestContext.Current.CancellationToken)).ShouldBe(1);
        error.ToString().ShouldContain("make it 0600");
    }

    [Fact]
    public async Task Unknown_subcommand_prints_the_usage()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        (await GitCommand.RunAsync(["keys"], SampleAtomOptions.Create(), output, error, TestContext.Current.CancellationToken)).ShouldBe(2);
        error.ToString().ShouldContain("signing-key");
    }
}
