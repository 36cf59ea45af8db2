using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Atom.Bot.Configuration;
using Microsoft.Extensions.Logging;

namespace Atom.Bot.Workers;

/// <summary>
/// Runs a repository's test command in a worktree: <c>/bin/sh -c</c> in a session and process group of its own
/// (<c>setsid</c>), stdin closed, stderr joined to stdout, and an environment without Atom's secrets (every
/// <c>ATOM_*</c> variable and every variable whose value contains a secret is dropped). At the timeout, or when the
/// caller cancels, the whole process tree and process group are killed; after a normal exit, whatever the command
/// left running in its group is killed too. Shared by the worker's <c>run_tests</c> tool and the supervisor's evaluation.
/// </summary>
public sealed class TestRunner
{
    /// <summary>How much of the end of the output is kept (and shown to the model).</summary>
    public const int OutputTailBytes = 16 * 1024;

    private const int SigKill = 9;

    /// <summary>How long to wait for output still in the pipes once the process is gone.</summary>
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(5);

    /// <summary>util-linux setsid (Debian: essential); without it only the process tree is killed, not the group.</summary>
    private static readonly string? Setsid = new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists);

    private static readonly string EmptySha256 = Convert.ToHexStringLower(SHA256.HashData(ReadOnlySpan<byte>.Empty));

    private readonly string[] _secrets;
    private readonly ILogger _logger;

    public TestRunner(IEnumerable<string> secrets, ILogger<TestRunner> logger)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        _secrets = [.. secrets.Where(s => !string.IsNullOrEmpty(s))];
        _logger = logger;
    }

    /// <summary>Runs <paramref name="testCommand"/> (null or blank: not configured) in <paramref name="workingDirectory"/>.</summary>
    public async Task<TestRun> RunAsync(string workingDirectory, string? testCommand, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(workingDirectory);
        if (string.IsNullOrWhiteSpace(testCommand))
        {
            return new TestRun(TestStatus.NotConfigured, null, TimeSpan.Zero, "Tests are not configured: the repository's .github/atom.yml has no test_command.", EmptySha256, null);
        }

        using var output = new TestOutput(OutputTailBytes);
        using var process = new Process { StartInfo = StartInfo(workingDirectory, testCommand) };
        var started = Stopwatch.GetTimestamp();
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or IOException)
        {
            Log.TestsCouldNotStart(_logger, e.Message);
            return new TestRun(TestStatus.CouldNotStart, null, Stopwatch.GetElapsedTime(started), Redaction.Redact($"The test command could not be started: {e.Message}", _secrets), EmptySha256, null);
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
                KillTree(process);
                if (cancellationToken.IsCancellationRequested)
                {
                    await Drain(pumps);
                    throw;
                }

                timedOut = true;
                Log.TestsTimedOut(_logger, timeout.TotalSeconds);
            }
        }

        // Whatever the command left behind in its process group goes too: it must not outlive the run or hold the pipes.
        KillGroup(process.Id);
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

    private ProcessStartInfo StartInfo(string workingDirectory, string testCommand)
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

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Already gone; the process group kill below catches what was reparented.
        }

        KillGroup(process.Id);
    }

    private static void KillGroup(int processGroup)
    {
        if (Setsid is not null)
        {
            _ = SendSignal(-processGroup, SigKill);
        }
    }

    private static async Task Drain(Task pumps) => await Task.WhenAny(pumps, Task.Delay(DrainGrace));

    [DllImport("libc", EntryPoint = "kill")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SendSignal(int pid, int signal);
}
