using System.Net;
using System.Net.Sockets;
using Atom.Bot.Workers;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atom.Bot.Tests.Workers;

/// <summary>
/// Escapes a test command might try, each run in the bubblewrap sandbox (it must fail) and with
/// <c>ATOM_SANDBOX=none</c> (it must succeed, so that the test can fail). Real processes, real bubblewrap.
/// </summary>
public sealed class TestSandboxTests : IDisposable
{
    private const string Secret = "sandbox-test-secret-8e41c7";

    private readonly DirectoryInfo _dataDir = Directory.CreateTempSubdirectory("atom-sandbox-data-");
    private readonly List<TestSandbox> _sandboxes = [];
    private readonly string _worktree;
    private readonly string _key;

    public TestSandboxTests()
    {
        // The layout of a real data directory: keys, database, mirror, and the worktree under it.
        Directory.CreateDirectory(Path.Join(_dataDir.FullName, "keys"));
        File.WriteAllText(Path.Join(_dataDir.FullName, "keys", "audit.key"), "fake-audit-key");
        File.WriteAllText(Path.Join(_dataDir.FullName, "atom.db"), "fake-database");
        var mirror = Path.Join(_dataDir.FullName, "mirrors", "o", "r.git");
        Directory.CreateDirectory(Path.Join(mirror, "worktrees", "wt"));
        File.WriteAllText(Path.Join(mirror, "config"), "[core]\n\tfake-mirror-config = yes\n");
        _worktree = Path.Join(_dataDir.FullName, "worktrees", "wt");
        Directory.CreateDirectory(_worktree);
        File.WriteAllText(Path.Join(_worktree, ".git"), $"gitdir: {mirror}/worktrees/wt\n");
        File.WriteAllText(Path.Join(_worktree, "README.md"), "# r\n");

        // An App key inside a tree the sandbox mounts (/opt): the configured path is covered.
        _key = Path.Join("/opt", $"atom-sandbox-test-{Guid.NewGuid():N}.pem");
        File.WriteAllText(_key, "fake-app-private-key");
    }

    public void Dispose()
    {
        // Removes the cgroups the sandboxes kept for reuse.
        _sandboxes.ForEach(s => s.Dispose());
        File.Delete(_key);
        _dataDir.Delete(recursive: true);
    }

    [Fact]
    public async Task Loopback_listener_of_the_host_is_unreachable_in_the_sandbox()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var command = $"bash -c 'echo hello > /dev/tcp/127.0.0.1/{port}' && echo CONNECTED || echo REFUSED";

        (await Sandboxed(command)).OutputTail.ShouldContain("REFUSED");
        (await Unsandboxed(command)).OutputTail.ShouldContain("CONNECTED");
    }

    [Fact]
    public async Task Test_network_setting_shares_the_host_network()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var run = await Runner(Sandboxes.Bwrap()).RunAsync(_worktree, $"bash -c 'echo hello > /dev/tcp/127.0.0.1/{port}' && echo CONNECTED", TimeSpan.FromSeconds(30), network: true, TestContext.Current.CancellationToken);

        run.OutputTail.ShouldContain("CONNECTED");
    }

    [Fact]
    public async Task Atom_process_and_its_environment_are_invisible_and_the_sandbox_environment_holds_no_secret()
    {
        Environment.SetEnvironmentVariable("ATOM_SANDBOX_TEST_SECRET", Secret);
        Environment.SetEnvironmentVariable("SANDBOX_TEST_CARRIER", $"x-{Secret}-y");
        try
        {
            var pid = Environment.ProcessId;
            // Written to a file, not printed: the output is redacted, a file in the worktree is not.
            var command = $"ls /proc | grep -c '^[0-9]' > procs.txt; (cat /proc/{pid}/environ; echo; cat /proc/1/environ; echo; cat /proc/self/environ; echo; env) > seen.txt 2>&1; true";

            (await Sandboxed(command)).Status.ShouldBe(TestStatus.Passed);
            var seen = Read("seen.txt");
            seen.ShouldNotContain(Secret);
            seen.ShouldNotContain("ATOM_");
            seen.ShouldContain("No such file or directory");
            int.Parse(Read("procs.txt").Trim(), System.Globalization.CultureInfo.InvariantCulture).ShouldBeLessThan(10, "only the sandbox's own few processes");

            // Atom's environment as it was started (what /proc shows, as the script read ATOM_WEBHOOK_SECRET).
            string[] sandboxOwn = ["PATH=", "HOME=", "LANG=", "TERM=", "TMPDIR=", "DOTNET_", "PWD=", "SHLVL=", "_="];
            var atomVariable = File.ReadAllText($"/proc/{pid}/environ").Split('\0').First(v => v.Contains('=', StringComparison.Ordinal) && !sandboxOwn.Any(o => v.StartsWith(o, StringComparison.Ordinal)));
            seen.ShouldNotContain(atomVariable);
            (await Unsandboxed(command)).Status.ShouldBe(TestStatus.Passed);
            Read("seen.txt").ShouldContain(atomVariable);
        }
        finally
        {
            Environment.SetEnvironmentVariable("ATOM_SANDBOX_TEST_SECRET", null);
            Environment.SetEnvironmentVariable("SANDBOX_TEST_CARRIER", null);
        }
    }

    [Fact]
    public async Task Data_directory_keys_database_mirror_and_app_key_are_invisible()
    {
        var data = _dataDir.FullName;
        var command = $"for f in {data}/keys/audit.key {data}/atom.db {data}/mirrors/o/r.git/config {_key} \"$(sed 's/^gitdir: //' .git)/../../config\"; do cat \"$f\" 2>/dev/null && echo; done; echo end";

        var sandboxed = await Sandboxed(command);
        sandboxed.OutputTail.ShouldBe("end\n");

        var unsandboxed = await Unsandboxed(command);
        unsandboxed.OutputTail.ShouldContain("fake-audit-key");
        unsandboxed.OutputTail.ShouldContain("fake-database");
        unsandboxed.OutputTail.ShouldContain("fake-mirror-config");
        unsandboxed.OutputTail.ShouldContain("fake-app-private-key");
    }

    [Fact]
    public async Task Writes_outside_the_worktree_do_not_reach_the_host_and_the_git_pointer_is_read_only()
    {
        var outside = Path.Join(_dataDir.FullName, "escape.txt");
        var tmp = Path.Join("/tmp", $"atom-sandbox-escape-{Guid.NewGuid():N}");
        var command = $"echo x > {outside}; echo x > {tmp}; echo 'gitdir: /elsewhere' > .git; echo x > inside.txt; true";
        try
        {
            (await Sandboxed(command)).Status.ShouldBe(TestStatus.Passed);
            File.Exists(outside).ShouldBeFalse();
            File.Exists(tmp).ShouldBeFalse();
            Read(".git").ShouldStartWith($"gitdir: {_dataDir.FullName}");
            Read("inside.txt").ShouldBe("x\n", "the worktree itself is writable");

            (await Unsandboxed(command)).Status.ShouldBe(TestStatus.Passed);
            File.Exists(outside).ShouldBeTrue();
            File.Exists(tmp).ShouldBeTrue();
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    [Fact]
    public async Task Process_count_is_limited()
    {
        var limits = SandboxLimits.Default with { Processes = 32 };
        const string command = "i=0; while [ $i -lt 100 ]; do sleep 30 & i=$((i+1)); done; echo \"started $i\"";

        var sandboxed = await Runner(Sandboxes.Bwrap(limits: limits)).RunAsync(_worktree, command, TimeSpan.FromSeconds(60), false, TestContext.Current.CancellationToken);
        var unsandboxed = await Unsandboxed(command);

        sandboxed.Status.ShouldBe(TestStatus.Failed);
        sandboxed.OutputTail.ShouldContain("Cannot fork");
        sandboxed.OutputTail.ShouldNotContain("started 100");
        unsandboxed.Status.ShouldBe(TestStatus.Passed);
        unsandboxed.OutputTail.ShouldContain("started 100");
    }

    [Fact(Timeout = 60_000)]
    public async Task Fork_bomb_ends_cleanly_at_the_timeout()
    {
        var limits = SandboxLimits.Default with { Processes = 64 };

        var run = await Runner(Sandboxes.Bwrap(limits: limits)).RunAsync(_worktree, "b() { b | b & }; b; sleep 1000", TimeSpan.FromSeconds(3), false, TestContext.Current.CancellationToken);

        run.Status.ShouldBe(TestStatus.TimedOut);
        run.Duration.ShouldBeLessThan(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task File_size_is_limited()
    {
        var limits = SandboxLimits.Default with { FileSizeBytes = 1 << 20 };
        const string command = "head -c 5000000 /dev/zero > big.bin; echo \"exit $?\"";

        var sandboxed = await Runner(Sandboxes.Bwrap(limits: limits)).RunAsync(_worktree, command, TimeSpan.FromSeconds(30), false, TestContext.Current.CancellationToken);
        new FileInfo(Path.Join(_worktree, "big.bin")).Length.ShouldBeLessThanOrEqualTo(1 << 20);
        sandboxed.OutputTail.ShouldNotContain("exit 0");

        await Unsandboxed(command);
        new FileInfo(Path.Join(_worktree, "big.bin")).Length.ShouldBe(5_000_000);
    }

    [Fact]
    public async Task Memory_is_limited_where_a_memory_cgroup_is_writable()
    {
        var limits = SandboxLimits.Default with { MemoryBytes = 64L << 20 };
        Assert.SkipWhen(!MemoryCgroupWritable(limits), "no writable memory cgroup here: the limit is documented as unavailable");
        const string command = "python3 -c 'x = bytearray(300 * 1024 * 1024); print(\"allocated\")'";

        var sandboxed = await Runner(Sandboxes.Bwrap(limits: limits)).RunAsync(_worktree, command, TimeSpan.FromSeconds(60), false, TestContext.Current.CancellationToken);
        var unsandboxed = await Unsandboxed(command);

        sandboxed.OutputTail.ShouldNotContain("allocated");
        sandboxed.Status.ShouldBe(TestStatus.Failed);
        unsandboxed.OutputTail.ShouldContain("allocated");
    }

    [Fact]
    public async Task Setsid_child_does_not_survive_the_run()
    {
        var marker = $"atom-sandbox-setsid-{Guid.NewGuid():N}";
        var command = $"setsid sh -c 'sleep 1000; : {marker}' </dev/null >/dev/null 2>&1 & sleep 0.3; echo left";
        try
        {
            (await Sandboxed(command)).OutputTail.ShouldBe("left\n");
            (await GoneAsync(marker)).ShouldBeTrue();

            await Unsandboxed(command);
            HostProcesses.WithMarker(marker).ShouldNotBeEmpty("without the sandbox a setsid child escapes the process group");
        }
        finally
        {
            foreach (var pid in HostProcesses.WithMarker(marker))
            {
                System.Diagnostics.Process.GetProcessById(pid).Kill();
            }
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Timeout_kills_everything_in_the_sandbox()
    {
        var marker = $"atom-sandbox-timeout-{Guid.NewGuid():N}";

        var run = await Runner(Sandboxes.Bwrap()).RunAsync(_worktree, $"setsid sh -c 'sleep 1000; : {marker}' </dev/null >/dev/null 2>&1 & sh -c 'sleep 1000; : {marker}' & echo started; sleep 1000", TimeSpan.FromSeconds(2), false, TestContext.Current.CancellationToken);

        run.Status.ShouldBe(TestStatus.TimedOut);
        run.OutputTail.ShouldContain("started");
        (await GoneAsync(marker)).ShouldBeTrue();
    }

    [Fact]
    public async Task Run_cgroups_are_reused_and_those_of_a_gone_Atom_are_removed()
    {
        var sandbox = Sandboxes.Bwrap(limits: SandboxLimits.Default with { Processes = 100 });
        var first = sandbox.RentCgroup();
        Assert.SkipWhen(first is null, "no writable cgroup here: limits fall back to rlimits");
        sandbox.ReturnCgroup(first);
        var runner = Runner(sandbox);

        (await runner.RunAsync(_worktree, "cat /proc/self/cgroup > /dev/null", TimeSpan.FromSeconds(30), false, TestContext.Current.CancellationToken)).Status.ShouldBe(TestStatus.Passed);
        var reused = sandbox.RentCgroup().ShouldNotBeNull();
        reused.ShouldBeSameAs(first, "one cgroup serves run after run");
        sandbox.ReturnCgroup(reused);

        // A cgroup named for a process id that cannot exist (above pid_max), as a crashed Atom leaves it.
        var stale = Path.Join(Path.GetDirectoryName(first.Directories[0])!, "atom-test-999999999-stale");
        Directory.CreateDirectory(stale);
        TestCgroup.RemoveStale().ShouldBeGreaterThanOrEqualTo(1);
        Directory.Exists(stale).ShouldBeFalse();
        Directory.Exists(first.Directories[0]).ShouldBeTrue("a live Atom's cgroups stay");
    }

    [Fact]
    public async Task Missing_bubblewrap_fails_closed_with_no_sandbox()
    {
        var sandbox = Sandboxes.Bwrap(bwrapPath: "/nonexistent/bwrap");

        var run = await Runner(sandbox).RunAsync(_worktree, "echo ran > ran.txt", TimeSpan.FromSeconds(30), false, TestContext.Current.CancellationToken);

        run.Status.ShouldBe(TestStatus.NoSandbox);
        run.Passed.ShouldBeFalse();
        run.OutputTail.ShouldStartWith(TestRunner.NoSandboxText);
        run.OutputTail.ShouldContain("/nonexistent/bwrap");
        File.Exists(Path.Join(_worktree, "ran.txt")).ShouldBeFalse();
        sandbox.LastStatus.ShouldBe(new SandboxStatus(Atom.Bot.Configuration.SandboxMode.Bwrap, false, sandbox.LastStatus!.Reason));
    }

    [Fact]
    public async Task Working_bubblewrap_probes_available_and_stays_cached()
    {
        var sandbox = Sandboxes.Bwrap();

        var first = await sandbox.CheckAsync(TestContext.Current.CancellationToken);
        var second = await sandbox.CheckAsync(TestContext.Current.CancellationToken);

        first.Available.ShouldBeTrue(first.Reason);
        second.ShouldBeSameAs(first);
    }

    private Task<TestRun> Sandboxed(string command) =>
        Runner(Sandboxes.Bwrap([_dataDir.FullName, _key])).RunAsync(_worktree, command, TimeSpan.FromSeconds(60), false, TestContext.Current.CancellationToken);

    private Task<TestRun> Unsandboxed(string command) =>
        Runner(Sandboxes.Off()).RunAsync(_worktree, command, TimeSpan.FromSeconds(60), false, TestContext.Current.CancellationToken);

    private TestRunner Runner(TestSandbox sandbox)
    {
        _sandboxes.Add(sandbox);
        return new([Secret], sandbox, NullLogger<TestRunner>.Instance);
    }

    private string Read(string file) => File.ReadAllText(Path.Join(_worktree, file));

    private static bool MemoryCgroupWritable(SandboxLimits limits)
    {
        var cgroup = TestCgroup.TryCreate(limits);
        cgroup?.Remove();
        return cgroup is { LimitsMemory: true };
    }

    private static async Task<bool> GoneAsync(string marker)
    {
        for (var i = 0; i < 100 && HostProcesses.WithMarker(marker).Count > 0; i++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        return HostProcesses.WithMarker(marker).Count == 0;
    }
}
