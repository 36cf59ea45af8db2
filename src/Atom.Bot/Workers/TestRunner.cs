using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography;
using Atom.Bot.Configuration;
using Atom.Bot.Telemetry;
using Microsoft.Extensions.Logging;

namespace Atom.Bot.Workers;

/// <summary>
/// Runs a repository's test command in a worktree: inside the <see cref="TestSandbox"/> (bubblewrap namespaces,
/// limits, a clean environment; no sandbox means no run), or with <c>ATOM_SANDBOX=none</c> as Atom's own user,
/// <c>/bin/sh -c</c> in a session and process group of its own (<c>setsid</c>) with an environment without Atom's
/// secrets. stdin is closed, stderr joined to stdout, and only the tail of the output is kept. At the timeout, or when
/// the caller cancels, everything the command started is killed: the PID namespace ends with its first process, and
/// the run's cgroup or process group catches the rest. Shared by the worker's <c>run_tests</c> tool, the supervisor's
/// evaluation and the proposal implementer.
/// </summary>
public sealed class TestRunner
{
    /// <summary>How much of the end of the output is kept (and shown to the model).</summary>
    public const int OutputTailBytes = 16 * 1024;

    /// <summary>What the output of a run that did not happen for want of a sandbox starts with.</summary>
    public const string NoSandboxText = "tests not run: no sandbox";

    /// <summary>How long to wait for output still in the pipes once the process is gone.</summary>
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(5);

    /// <summary>util-linux setsid (Debian: essential); without it only the process tree is killed, not the group.</summary>
    private static readonly string? Setsid = new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists);

    private static readonly string EmptySha256 = Convert.ToHexStringLower(SHA256.HashData(ReadOnlySpan<byte>.Empty));

    private readonly string[] _secrets;
    private readonly TestSandbox _sandbox;
    private readonly ILogger _logger;
    private readonly AtomMetrics? _metrics;

    /// <param name="metrics">Where runs and their duration are counted (none: not counted).</param>
    public TestRunner(IEnumerable<string> secrets, TestSandbox sandbox, ILogger<TestRunner> logger, AtomMetrics? metrics = null)
    {
        _metrics = metrics;
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(sandbox);
        _secrets = [.. secrets.Where(s => !string.IsNullOrEmpty(s))];
        _sandbox = sandbox;
        _logger = logger;
    }

    public TestSandbox Sandbox => _sandbox;

    /// <summary>Runs the repository's <c>test_command</c> with its timeout and network setting.</summary>
    public Task<TestRun> RunAsync(string workingDirectory, RepoSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return RunAsync(workingDirectory, settings.TestCommand, TimeSpan.FromSeconds(settings.TestTimeoutSeconds), settings.TestNetwork, cancellationToken);
    }

    /// <summary>
    /// Runs the repository's <c>test_command</c> narrowed by <paramref name="filter"/> through its <c>test_filter_arg</c>
    /// (the filter single-quoted for the shell, so it stays one argument whatever it holds); the same sandbox, timeout
    /// and network setting as every run.
    /// </summary>
    public Task<TestRun> RunFilteredAsync(string workingDirectory, RepoSettings settings, string filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(filter);
        var command = string.IsNullOrWhiteSpace(settings.TestCommand) || settings.TestFilterArg is null
            ? settings.TestCommand
            : $"{settings.TestCommand} {settings.TestFilterArg.Replace("{filter}", ShellQuote(filter), StringComparison.Ordinal)}";
        return RunAsync(workingDirectory, command, TimeSpan.FromSeconds(settings.TestTimeoutSeconds), settings.TestNetwork, cancellationToken);
    }

    /// <summary>One POSIX shell word holding exactly <paramref name="text"/>.</summary>
    public static string ShellQuote(string text) => $"'{text.Replace("'", "'\\''", StringComparison.Ordinal)}'";

    /// <summary>Runs <paramref name="testCommand"/> (null or blank: not configured) in <paramref name="workingDirectory"/>.</summary>
    public async Task<TestRun> RunAsync(string workingDirectory, string? testCommand, TimeSpan timeout, bool network, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(workingDirectory);
        using var activity = AtomTelemetry.Start("test_run");
        var run = await RunOnceAsync(workingDirectory, testCommand, timeout, network, cancellationToken);
        var status = run.Status.ToString().ToLowerInvariant();
        var sandboxed = run.Status is not (TestStatus.NotConfigured or TestStatus.NoSandbox) && !run.Unsandboxed;
        activity?.SetTag(AtomTelemetry.TestStatus, status);
        activity?.SetTag(AtomTelemetry.Sandboxed, sandboxed);
        activity?.SetTag(AtomTelemetry.ExitCode, run.ExitCode);
        if (run.Status is TestStatus.TimedOut or TestStatus.CouldNotStart or TestStatus.NoSandbox)
        {
            activity.Fail(status);
        }

        if (run.Status != TestStatus.NotConfigured)
        {
            var statusTag = new KeyValuePair<string, object?>("status", status);
            _metrics?.TestRunCount.Add(1, statusTag, new KeyValuePair<string, object?>("sandboxed", sandboxed));
            _metrics?.TestRunDuration.Record(run.Duration.TotalSeconds, statusTag);
        }

        return run;
    }

    private async Task<TestRun> RunOnceAsync(string workingDirectory, string? testCommand, TimeSpan timeout, bool network, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(testCommand))
        {
            return new TestRun(TestStatus.NotConfigured, null, TimeSpan.Zero, "Tests are not configured: the repository's .github/atom.yml has no test_command.", EmptySha256, null);
        }

        var sandbox = await _sandbox.CheckAsync(cancellationToken);
        if (!sandbox.Available)
        {
            return NotRun(sandbox.Reason ?? "bubblewrap is unavailable");
        }

        if (sandbox.Unsandboxed)
        {
            return await ExecuteAsync(UnsandboxedStartInfo(workingDirectory, testCommand), null, Setsid is not null, timeout, cancellationToken) with { Unsandboxed = true };
        }

        var cgroup = _sandbox.RentCgroup();
        try
        {
            var run = await ExecuteAsync(_sandbox.StartInfo(workingDirectory, testCommand, network, cgroup), cgroup, false, timeout, cancellationToken);
            if (run is { Status: TestStatus.Failed, ExitCode: 1 } && run.OutputTail.StartsWith("bwrap: ", StringComparison.Ordinal))
            {
                // bubblewrap itself failed to set up (say, user namespaces were turned off since the last probe): probe
                // again, and if the sandbox is gone the run is "not run", not a test failure.
                _sandbox.Invalidate();
                var again = await _sandbox.CheckAsync(cancellationToken);
                if (!again.Available)
                {
                    return NotRun(again.Reason ?? run.OutputTail.Trim());
                }
            }

            return run;
        }
        finally
        {
            if (cgroup is not null)
            {
                _sandbox.ReturnCgroup(cgroup);
            }
        }
    }

    private TestRun NotRun(string reason)
    {
        Log.TestsNotRunNoSandbox(_logger, reason);
        return new TestRun(TestStatus.NoSandbox, null, TimeSpan.Zero, Redaction.Redact($"{NoSandboxText}: {reason}", _secrets), EmptySha256, null);
    }

    private async Task<TestRun> ExecuteAsync(ProcessStartInfo startInfo, TestCgroup? cgroup, bool ownGroup, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var output = new TestOutput(OutputTailBytes);
        using var process = new Process { StartInfo = startInfo };
        var started = Stopwatch.GetTimestamp();
        var problem = await StartAsync(process);
        if (problem is not null)
        {
            Log.TestsCouldNotStart(_logger, problem.Message);
            return new TestRun(TestStatus.CouldNotStart, null, Stopwatch.GetElapsedTime(started), Redaction.Redact($"The test command could not be started: {problem.Message}", _secrets), EmptySha256, null);
        }

        process.StandardInput.Close();
        var pumps = Task.WhenAll(output.PumpAsync(process.StandardOutput.BaseStream), output.PumpAsync(process.StandardError.BaseStream));
        var timedOut = false;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            deadline.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                KillTree(process, cgroup, ownGroup);
                if (cancellationToken.IsCancellationRequested)
                {
                    await Drain(pumps);
                    throw;
                }

                timedOut = true;
                Log.TestsTimedOut(_logger, timeout.TotalSeconds);
            }
        }

        // Whatever the command left behind must not outlive the run or hold the pipes: in the sandbox the PID
        // namespace ended with bubblewrap's init; the cgroup or process group catches anything else.
        cgroup?.KillAll();
        if (ownGroup)
        {
            _ = ProcessSignals.Kill(-process.Id);
        }

        await Drain(pumps);
        await process.WaitForExitAsync(CancellationToken.None);
        var duration = Stopwatch.GetElapsedTime(started);

        var tail = Redaction.Redact(output.Tail(), _secrets);
        var exitCode = timedOut ? (int?)null : process.ExitCode;
        var status = timedOut ? TestStatus.TimedOut : exitCode == 0 ? TestStatus.Passed : TestStatus.Failed;
        var run = new TestRun(status, exitCode, duration, tail, output.Sha256(), TestCounts.Parse(tail));
        Log.TestsFinished(_logger, status, exitCode, (long)duration.TotalMilliseconds, output.TotalBytes, run.OutputSha256);
        return run;
    }

    /// <summary>
    /// Starts the process on a thread of its own that lives as long as the process: bubblewrap's
    /// <c>--die-with-parent</c> is a parent-death signal, which Linux sends when the parent *thread* ends, and a pool
    /// thread may be retired while a long test still runs.
    /// </summary>
    private static Task<Exception?> StartAsync(Process process)
    {
        var started = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                process.Start();
            }
            catch (Exception e) when (e is Win32Exception or InvalidOperationException or IOException)
            {
                started.SetResult(e);
                return;
            }

            started.SetResult(null);
            try
            {
                process.WaitForExit();
            }
            catch (InvalidOperationException)
            {
                // Disposed by the runner after the exit it saw itself.
            }
        })
        {
            IsBackground = true,
            Name = "atom-test-run",
        };
        thread.Start();
        return started.Task;
    }

    private ProcessStartInfo UnsandboxedStartInfo(string workingDirectory, string testCommand)
    {
        var info = new ProcessStartInfo
        {
            FileName = Setsid ?? "/bin/sh",
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Setsid is not null)
        {
            info.ArgumentList.Add("--wait");
            info.ArgumentList.Add("/bin/sh");
        }

        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec 2>&1\n" + testCommand);

        foreach (var name in info.Environment.Keys.ToList())
        {
            var value = info.Environment[name];
            if (name.StartsWith("ATOM_", StringComparison.OrdinalIgnoreCase)
                || (value is not null && _secrets.Any(s => value.Contains(s, StringComparison.Ordinal))))
            {
                info.Environment.Remove(name);
            }
        }

        return info;
    }

    private static void KillTree(Process process, TestCgroup? cgroup, bool ownGroup)
    {
        try
        {
            // In the sandbox this takes bubblewrap's init (PID 1 of the namespace), and with it every process inside.
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Already gone; the cgroup or process group kill below catches what was reparented.
        }

        cgroup?.KillAll();
        if (ownGroup)
        {
            _ = ProcessSignals.Kill(-process.Id);
        }
    }

    private static async Task Drain(Task pumps) => await Task.WhenAny(pumps, Task.Delay(DrainGrace));
}
