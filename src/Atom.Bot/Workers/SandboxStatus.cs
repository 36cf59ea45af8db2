using Atom.Bot.Configuration;

namespace Atom.Bot.Workers;

/// <summary>
/// Whether test commands can run as configured: <paramref name="Available"/> false with <see cref="SandboxMode.Bwrap"/>
/// means no test runs (fail closed); <see cref="SandboxMode.None"/> is always available and always unsafe.
/// </summary>
public sealed record SandboxStatus(SandboxMode Mode, bool Available, string? Reason)
{
    /// <summary>The operator turned the sandbox off (<c>ATOM_SANDBOX=none</c>): tests run as Atom's own user.</summary>
    public bool Unsandboxed => Mode == SandboxMode.None;
}
