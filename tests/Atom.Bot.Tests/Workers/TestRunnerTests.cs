using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Atom.Bot.Workers;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atom.Bot.Tests.Workers;

/// <summary>The runner's own behaviour, on the unsandboxed path (<c>ATOM_SANDBOX=none</c>); the sandbox has <see cref="TestSandboxTests"/>.</summary>
public sealed class TestRunnerTests : IDisposable
{
    private const string Secret = "atom-test-secret-5d1f0c2b9e";

    private readonly DirectoryInfo _worktree = Directory.CreateTempSubdirectory("atom-tests-");
    private readonly TestRunner _runner = new([Secret], Sandboxes.Off(), NullLogger<TestRunner>.Instance);

    public void Dispose() => _worktree.Delete(recursive: true);

    [Fact]
    public async Task No_test_command_is_reported_as_not_configured()
    {
        var run = await _runner.RunAsync(_worktree.FullName, null, TimeSpan.FromSeconds(5), false, TestContext.Current.CancellationToken);

        run.Status.ShouldBe(TestStatus.NotConfigured);
        run.ExitCode.ShouldBeNull();
        run.OutputTail.ShouldContain("not configured");
    }

    [Fact]
    public async Task Exit_code_decides_passed_or_failed_and_output_is_interleaved()
    {
        var passed = await Run("echo out; echo err >&2; echo out2", 30, TestContext.Current.CancellationToken);
        var failed = await Run("echo broken; exit 3", 30, TestContext.Current.CancellationToken);

        passed.Status.ShouldBe(TestStatus.Passed);
        passed.ExitCode.ShouldBe(0);
        passed.OutputTail.ShouldBe("out\nerr\nout2\n");
        passed.OutputSha256.ShouldBe(Convert.ToHexStringLower(SHA256.HashData("out\nerr\nout2\n"u8)));
        failed.Status.ShouldBe(TestStatus.Failed);
        failed.ExitCode.ShouldBe(3);
        failed.OutputTail.ShouldBe("broken\n");
    }

    [Fact]
    public async Task Runs_in_the_worktree_with_stdin_closed()
    {
        var run = await Run("pwd; cat; echo done", 30, TestContext.Current.CancellationToken);

        run.OutputTail.ShouldBe($"{_worktree.FullName}\ndone\n");
    }

    [Fact(Timeout = 120_000)]
    public async Task Hanging_command_is_killed_at_the_timeout()
    {
        var run = await Run("echo started; sleep 600", 1, TestContext.Current.CancellationToken);

        run.Status.ShouldBe(TestStatus.TimedOut);
        run.TimedOut.ShouldBeTrue();
        run.ExitCode.ShouldBeNull();
        run.OutputTail.ShouldContain("started");
    }

    [Fact(Timeout = 120_000)]
    public async Task Children_of_a_hanging_command_are_killed_too()
    {
        var run = await Run("sh -c 'sleep 600 & echo $! > child.pid; sleep 600'", 2, TestContext.Current.CancellationToken);

        run.Status.ShouldBe(TestStatus.TimedOut);
        (await IsGone(ReadPid("child.pid"))).ShouldBeTrue();
    }

    [Fact(Timeout = 120_000)]
    public async Task Orphaned_grandchild_of_a_hanging_command_is_killed_through_its_process_group()
    {
        var run = await Run("(sleep 600 & echo $! > orphan.pid); sleep 600", 2, TestContext.Current.CancellationToken);

        run.Status.ShouldBe(TestStatus.TimedOut);
        (await IsGone(ReadPid("orphan.pid"))).ShouldBeTrue();
    }

    [Fact(Timeout = 120_000)]
    public async Task Process_left_running_by_a_finished_command_is_killed()
    {
        var run = await Run("(sleep 600 & echo $! > orphan.pid); echo done", 60, TestContext.Current.CancellationToken);

        run.Status.ShouldBe(TestStatus.Passed);
        run.OutputTail.ShouldBe("done\n");
        (await IsGone(ReadPid("orphan.pid"))).ShouldBeTrue();
    }

    [Fact(Timeout = 120_000)]
    public async Task Cancelling_kills_the_command_and_throws()
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var running = _runner.RunAsync(_worktree.FullName, "echo $$ > shell.pid; sleep 600", TimeSpan.FromSeconds(600), false, cancel.Token);
        while (!File.Exists(Path.Join(_worktree.FullName, "shell.pid")) || new FileInfo(Path.Join(_worktree.FullName, "shell.pid")).Length == 0)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        await cancel.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(running);
        (await IsGone(ReadPid("shell.pid"))).ShouldBeTrue();
    }

    [Fact]
    public async Task Environment_of_the_test_command_holds_no_atom_secrets()
    {
        Environment.SetEnvironmentVariable("ATOM_TEST_RUNNER_PROBE", "atom-variable-value");
        Environment.SetEnvironmentVariable("TEST_RUNNER_CARRIER", $"prefix-{Secret}-suffix");
        Environment.SetEnvironmentVariable("TEST_RUNNER_HARMLESS", "visible");
        try
        {
            var run = await Run("env > env.txt; echo printed", 30, TestContext.Current.CancellationToken);

            run.Status.ShouldBe(TestStatus.Passed);
            var environment = await File.ReadAllTextAsync(Path.Join(_worktree.FullName, "env.txt"), TestContext.Current.CancellationToken);
            environment.ShouldContain("TEST_RUNNER_HARMLESS=visible");
            environment.ShouldNotContain("ATOM_");
            environment.ShouldNotContain("atom-variable-value");
            environment.ShouldNotContain(Secret);
            environment.ShouldNotContain("TEST_RUNNER_CARRIER");
        }
        finally
        {
            Environment.SetEnvironmentVariable("ATOM_TEST_RUNNER_PROBE", null);
            Environment.SetEnvironmentVariable("TEST_RUNNER_CARRIER", null);
            Environment.SetEnvironmentVariable("TEST_RUNNER_HARMLESS", null);
        }
    }

    [Fact]
    public async Task Secret_printed_by_the_command_is_masked_in_the_output()
    {
        var run = await Run($"echo 'token={Secret}'", 30, TestContext.Current.CancellationToken);

        run.OutputTail.ShouldBe("token=***\n");
    }

    [Fact]
    public async Task Long_output_keeps_only_its_tail_but_hashes_everything()
    {
        var run = await Run("i=0; while [ $i -lt 5000 ]; do echo \"line $i of the output\"; i=$((i+1)); done; echo 'total: 7 failed: 1 succeeded: 6 skipped: 0'", 30, TestContext.Current.CancellationToken);

        var expected = new StringBuilder();
        for (var i = 0; i < 5000; i++)
        {
            expected.Append(CultureInfo.InvariantCulture, $"line {i} of the output\n");
        }

        expected.Append("total: 7 failed: 1 succeeded: 6 skipped: 0\n");
        run.OutputTail.ShouldStartWith("[output truncated: showing the last ");
        run.OutputTail.ShouldEndWith("line 4999 of the output\ntotal: 7 failed: 1 succeeded: 6 skipped: 0\n");
        run.OutputTail.ShouldNotContain("line 10 of the output");
        Encoding.UTF8.GetByteCount(run.OutputTail).ShouldBeLessThan(TestRunner.OutputTailBytes + 100);
        run.OutputSha256.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(expected.ToString()))));
        run.Counts.ShouldBe(new TestCounts(7, 6, 1, 0));
    }

    [Fact]
    public async Task Missing_worktree_is_reported_as_could_not_start()
    {
        var run = await _runner.RunAsync(Path.Join(_worktree.FullName, "missing"), "true", TimeSpan.FromSeconds(5), false, TestContext.Current.CancellationToken);

        run.Status.ShouldBe(TestStatus.CouldNotStart);
    }

    private Task<TestRun> Run(string command, int timeoutSeconds, CancellationToken cancellationToken) =>
        _runner.RunAsync(_worktree.FullName, command, TimeSpan.FromSeconds(timeoutSeconds), false, cancellationToken);

    private int ReadPid(string file) =>
        int.Parse(File.ReadAllText(Path.Join(_worktree.FullName, file)).Trim(), CultureInfo.InvariantCulture);

    /// <summary>
    /// Whether the process dies within a generous grace: SIGKILL is asynchronous, so a killed process may still be
    /// finishing its exit when the runner returns. Not a timing assertion: a sleep 600 that was not killed never goes.
    /// </summary>
    private static async Task<bool> IsGone(int pid)
    {
        for (var i = 0; i < 600 && IsRunning(pid); i++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        return !IsRunning(pid);
    }

    /// <summary>Alive and not a zombie (a killed orphan may wait for a container's init to reap it).</summary>
    private static bool IsRunning(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return false;
        }

        var state = stat[(stat.LastIndexOf(')') + 2)..][0];
        return state is not ('Z' or 'X');
    }
}
