using Atom.Bot.Audit;
using Atom.Bot.Configuration;
using Atom.Bot.Tests.Configuration;

namespace Atom.Bot.Tests.Audit;

public sealed class AuditOptionsTests
{
    [Fact]
    public void From_puts_the_key_directory_under_the_data_directory()
    {
        AuditOptions.From(Options()).KeyDirectory.ShouldBe("/var/lib/atom/keys");
    }

    private static AtomOptions Options() => SampleAtomOptions.Create() with { GitHubAppPrivateKeyPath = null };
}
