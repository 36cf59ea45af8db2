namespace Atom.Bot.Workers;

/// <summary>
/// What one sandboxed test run may use besides wall time: memory (bytes, cgroup), tasks (processes and threads, cgroup
/// <c>pids.max</c>; <c>RLIMIT_NPROC</c> as the fallback) and the size of any one file it writes (bytes, <c>RLIMIT_FSIZE</c>).
/// </summary>
public sealed record SandboxLimits(long MemoryBytes, int Processes, long FileSizeBytes)
{
    /// <summary>Room for a real build and test run (<c>dotnet test</c> with its build nodes), not for a fork bomb.</summary>
    public static SandboxLimits Default { get; } = new(4L << 30, 2048, 1L << 30);
}
