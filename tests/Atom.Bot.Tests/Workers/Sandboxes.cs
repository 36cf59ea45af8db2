using Atom.Bot.Configuration;
using Atom.Bot.Workers;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atom.Bot.Tests.Workers;

/// <summary>Test sandboxes: bubblewrap as Atom configures it (with extra paths to hide), or the unsafe <c>none</c>.</summary>
internal static class Sandboxes
{
    public static TestSandbox Bwrap(IEnumerable<string>? hidden = null, SandboxLimits? limits = null, string bwrapPath = TestSandbox.DefaultBwrapPath) =>
        new(SandboxMode.Bwrap, bwrapPath, hidden ?? [], limits ?? SandboxLimits.Default, NullLogger<TestSandbox>.Instance);

    public static TestSandbox Off() =>
        new(SandboxMode.None, TestSandbox.DefaultBwrapPath, [], SandboxLimits.Default, NullLogger<TestSandbox>.Instance);
}
