namespace Atom.Bot.Workers;

/// <summary>
/// One run of a repository's test command: how it ended, the last part of its output (stdout and stderr interleaved,
/// secrets masked), the SHA-256 of the whole raw output (for the execution receipt) and counts if the output had a summary.
/// </summary>
public sealed record TestRun(TestStatus Status, int? ExitCode, TimeSpan Duration, string OutputTail, string OutputSha256, TestCounts? Counts)
{
    /// <summary>The run was not sandboxed because the operator set <c>ATOM_SANDBOX=none</c>.</summary>
    public bool Unsandboxed { get; init; }

    public bool TimedOut => Status == TestStatus.TimedOut;

    public bool Passed => Status == TestStatus.Passed;
}
