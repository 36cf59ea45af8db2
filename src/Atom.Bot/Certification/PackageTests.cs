namespace Atom.Bot.Certification;

/// <summary>The test run on the certified head; <paramref name="Configured"/> false means "tests not configured".</summary>
public sealed record PackageTests(bool Configured, string? Command, int? ExitCode, bool TimedOut, TimeSpan Duration, int? Passed, int? Failed, int? Skipped, string OutputTail)
{
    /// <summary>Why a configured test command did not run ("tests not run: no sandbox: ..."); null when it ran.</summary>
    public string? NotRun { get; init; }

    /// <summary>The run was not sandboxed (<c>ATOM_SANDBOX=none</c>): the package warns about it.</summary>
    public bool Unsandboxed { get; init; }

    public bool Succeeded => !Configured || (NotRun is null && ExitCode == 0 && !TimedOut);

    /// <summary>No <c>test_command</c>: shown plainly as "tests not configured".</summary>
    public static PackageTests NotConfigured { get; } = new(false, null, null, false, TimeSpan.Zero, null, null, null, "");
}
