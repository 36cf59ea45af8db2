namespace Atom.Bot.Workers;

/// <summary>How a run of the repository's test command ended.</summary>
public enum TestStatus
{
    /// <summary>The repository has no <c>test_command</c>; nothing ran.</summary>
    NotConfigured,

    /// <summary>Exit code 0.</summary>
    Passed,

    /// <summary>A non-zero exit code.</summary>
    Failed,

    /// <summary>Still running at <c>test_timeout_seconds</c>; the whole process tree was killed.</summary>
    TimedOut,

    /// <summary>The shell could not be started (the output tail says why).</summary>
    CouldNotStart,

    /// <summary>
    /// Not run: <c>ATOM_SANDBOX=bwrap</c> and bubblewrap is missing or cannot create its namespaces (fail closed; the
    /// output tail says "tests not run: no sandbox" and why). Never certified.
    /// </summary>
    NoSandbox,
}
