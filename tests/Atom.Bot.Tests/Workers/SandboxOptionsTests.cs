using Atom.Bot.Configuration;
using Atom.Bot.Tests.Configuration;
using Atom.Bot.Workers;

namespace Atom.Bot.Tests.Workers;

public sealed class SandboxOptionsTests
{
    [Fact]
    public void From_copies_the_mode_and_the_paths_to_hide()
    {
        var sandbox = SandboxOptions.From(Options() with { Sandbox = SandboxMode.None, GitHubAppPrivateKeyPath = "/etc/atom/app.pem" });

        sandbox.Mode.ShouldBe(SandboxMode.None);
        sandbox.DataDir.ShouldBe("/var/lib/atom");
        sandbox.GitHubAppPrivateKeyPath.ShouldBe("/etc/atom/app.pem");
    }

    [Fact]
    public void From_keeps_an_absent_private_key_absent()
    {
        var sandbox = SandboxOptions.From(Options());

        sandbox.Mode.ShouldBe(SandboxMode.Bwrap);
        sandbox.GitHubAppPrivateKeyPath.ShouldBeNull();
    }

    private static AtomOptions Options() => SampleAtomOptions.Create() with { GitHubAppPrivateKeyPath = null };
}
