using Microsoft.Extensions.Logging;

namespace Atom.Bot.Workers;

/// <summary>The workers area's log events (5001–5099). Paths are shown as refused (escaped); never file contents or secrets.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Worker tool {Tool} refused '{Path}': {Reason}")]
    public static partial void ToolRefused(ILogger logger, string tool, string path, string reason);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Debug, Message = "Worker tool {Tool} failed: {Failure}")]
    public static partial void ToolFailed(ILogger logger, string tool, ToolFailure failure);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Debug, Message = "Worker {Change} {Path} (+{Added} -{Removed} lines in total so far)")]
    public static partial void FileChanged(ILogger logger, string change, string path, int added, int removed);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Information, Message = "Test command finished: {Status}, exit code {ExitCode}, {ElapsedMilliseconds} ms, {OutputBytes} bytes of output (sha256 {OutputSha256})")]
    public static partial void TestsFinished(ILogger logger, TestStatus status, int? exitCode, long elapsedMilliseconds, long outputBytes, string outputSha256);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Warning, Message = "Test command still running after {TimeoutSeconds} s: process tree killed")]
    public static partial void TestsTimedOut(ILogger logger, double timeoutSeconds);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Warning, Message = "Test command could not be started: {Problem}")]
    public static partial void TestsCouldNotStart(ILogger logger, string problem);

    [LoggerMessage(EventId = 5013, Level = LogLevel.Information, Message = "Test sandbox ready: bubblewrap ({BwrapPath}) can create its namespaces")]
    public static partial void SandboxAvailable(ILogger logger, string bwrapPath);

    [LoggerMessage(EventId = 5014, Level = LogLevel.Warning, Message = "Test sandbox unavailable, so no test command will run (fail closed) until it works: {Reason}")]
    public static partial void SandboxUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 5015, Level = LogLevel.Warning, Message = "ATOM_SANDBOX=none: test commands run WITHOUT a sandbox, as Atom's own user, and can read its secrets, keys and database; every package says so")]
    public static partial void SandboxOff(ILogger logger);

    [LoggerMessage(EventId = 5016, Level = LogLevel.Warning, Message = "Tests not run: no sandbox ({Reason})")]
    public static partial void TestsNotRunNoSandbox(ILogger logger, string reason);

    [LoggerMessage(EventId = 5017, Level = LogLevel.Information, Message = "Test sandbox limits: memory {MemoryLimit}, processes {ProcessLimit}, file size by rlimit")]
    public static partial void SandboxLimitsApplied(ILogger logger, string memoryLimit, string processLimit);
}
