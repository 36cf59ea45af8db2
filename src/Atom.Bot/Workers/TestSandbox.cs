using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Atom.Bot.Configuration;
using Microsoft.Extensions.Logging;

namespace Atom.Bot.Workers;

/// <summary>
/// The bubblewrap sandbox every test command runs in (<c>ATOM_SANDBOX=bwrap</c>, the default): its own user, PID, IPC,
/// UTS, cgroup and network namespaces (the network is shared only with <c>test_network: true</c>), a private
/// <c>/proc</c>, <c>/dev</c>, <c>/tmp</c> and <c>$HOME</c>, the system trees read-only, an allowlist of <c>/etc</c>,
/// and the worktree read-write at its own path with its <c>.git</c> file read-only. Nothing else of the host is
/// mounted, so the data directory, the mirrors, other worktrees, the host's home and Atom's processes do not exist
/// inside; Atom's own secret paths that lie inside a mounted tree are covered (a tmpfs over a directory,
/// <c>/dev/null</c> over a file). bubblewrap itself starts with an environment of <c>PATH</c> only, because its PID 1
/// inside keeps that environment readable at <c>/proc/1/environ</c>.
/// </summary>
public sealed class TestSandbox : IDisposable
{
    public const string DefaultBwrapPath = "/usr/bin/bwrap";

    /// <summary>The command's <c>$HOME</c> inside: an empty tmpfs.</summary>
    public const string Home = "/home/sandbox";

    /// <summary>The user the command runs as inside (mapped to Atom's own user outside; no capabilities).</summary>
    private const string SandboxId = "1000";

    private const string Path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>System trees mounted read-only (or re-created as the same symlinks on merged-/usr systems), where present.</summary>
    private static readonly string[] SystemTrees = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/opt"];

    /// <summary>
    /// The parts of <c>/etc</c> a toolchain needs (loader, users, name resolution, certificates, time zone, alternatives,
    /// runtimes' own configuration); a trailing '*' matches a prefix. Not the whole of <c>/etc</c>: a key may live there.
    /// </summary>
    private static readonly string[] EtcEntries =
    [
        "alternatives", "ca-certificates", "ca-certificates.conf", "crypto-policies", "debian_version", "dotnet", "fonts",
        "gai.conf", "gitconfig", "group", "host.conf", "hosts", "java-*", "ld.so.cache", "ld.so.conf", "ld.so.conf.d",
        "locale.alias", "locale.conf", "localtime", "lsb-release", "magic", "magic.mime", "mime.types", "nsswitch.conf",
        "os-release", "passwd", "perl", "pki", "protocols", "python3*", "resolv.conf", "services", "ssl", "timezone",
    ];

    /// <summary>Covered whatever the configuration: private keys of the system's TLS setup.</summary>
    private static readonly string[] AlwaysHidden = ["/etc/ssl/private", "/etc/pki/tls/private"];

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    private readonly string[] _hidden;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _probe = new(1, 1);
    private readonly ConcurrentBag<TestCgroup> _cgroups = [];
    private SandboxStatus? _status;
    private bool _disposed;

    public TestSandbox(SandboxMode mode, string bwrapPath, IEnumerable<string> hiddenPaths, SandboxLimits limits, ILogger<TestSandbox> logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(bwrapPath);
        ArgumentNullException.ThrowIfNull(hiddenPaths);
        Mode = mode;
        BwrapPath = bwrapPath;
        Limits = limits;
        _hidden = [.. hiddenPaths.Where(p => !string.IsNullOrWhiteSpace(p)).SelectMany(Spellings).Concat(AlwaysHidden).Distinct(StringComparer.Ordinal)];
        _logger = logger;
    }

    public SandboxMode Mode { get; }

    public string BwrapPath { get; }

    public SandboxLimits Limits { get; }

    /// <summary>The last probe's answer (null until the first probe); for <c>/status</c>.</summary>
    public SandboxStatus? LastStatus => Mode == SandboxMode.None ? new SandboxStatus(SandboxMode.None, true, "ATOM_SANDBOX=none") : _status;

    /// <summary>
    /// The sandbox as configured for Atom: the paths that must not be seen inside are the data directory, the App's
    /// private key, Atom's user's home and its configuration files. Tests pass another bubblewrap or other limits.
    /// </summary>
    public static TestSandbox For(SandboxOptions options, ILogger<TestSandbox> logger, string bwrapPath = DefaultBwrapPath, SandboxLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return new TestSandbox(options.Mode, bwrapPath,
            [options.DataDir, options.GitHubAppPrivateKeyPath ?? "", home, System.IO.Path.Combine(Directory.GetCurrentDirectory(), AtomConfiguration.WorkingDirectoryFileName)],
            limits ?? SandboxLimits.Default, logger);
    }

    /// <summary>
    /// Whether a test may run now. The bwrap answer is cached once it worked; a failed probe is tried again on the next
    /// call (bubblewrap installed, a seccomp profile fixed), so a broken sandbox costs one probe per run, never a run.
    /// </summary>
    public async Task<SandboxStatus> CheckAsync(CancellationToken cancellationToken)
    {
        if (Mode == SandboxMode.None)
        {
            return LastStatus!;
        }

        if (_status is { Available: true } known)
        {
            return known;
        }

        await _probe.WaitAsync(cancellationToken);
        try
        {
            if (_status is { Available: true } again)
            {
                return again;
            }

            var status = await ProbeAsync(cancellationToken);
            if (status.Available != _status?.Available || status.Reason != _status?.Reason)
            {
                if (status.Available)
                {
                    Log.SandboxAvailable(_logger, BwrapPath);
                }
                else
                {
                    Log.SandboxUnavailable(_logger, status.Reason ?? "");
                }
            }

            _status = status;
            return status;
        }
        finally
        {
            _probe.Release();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        while (_cgroups.TryTake(out var cgroup))
        {
            cgroup.Remove();
        }

        _probe.Dispose();
    }

    /// <summary>An empty cgroup with this sandbox's limits for one run (a reused one when there is one), or null when none can be made here.</summary>
    internal TestCgroup? RentCgroup() => _cgroups.TryTake(out var cgroup) ? cgroup : TestCgroup.TryCreate(Limits);

    /// <summary>Ends whatever is left in the run's cgroup, then keeps it for the next run, or removes it when it does not empty.</summary>
    internal void ReturnCgroup(TestCgroup cgroup)
    {
        ArgumentNullException.ThrowIfNull(cgroup);
        cgroup.KillAll();
        if (!_disposed && cgroup.WaitEmpty())
        {
            _cgroups.Add(cgroup);
        }
        else
        {
            cgroup.Remove();
        }
    }

    /// <summary>A run's bubblewrap could not set the sandbox up: forget the good answer so the next check probes again.</summary>
    public void Invalidate() => _status = null;

    private async Task<SandboxStatus> ProbeAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(BwrapPath))
        {
            return new SandboxStatus(SandboxMode.Bwrap, false, $"bubblewrap is not installed ({BwrapPath} does not exist; Debian/Ubuntu: apt-get install bubblewrap)");
        }

        using var process = new Process { StartInfo = StartInfo(null, "exit 0", network: false, cgroup: null) };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return new SandboxStatus(SandboxMode.Bwrap, false, $"bubblewrap could not be started: {e.Message}");
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ProbeTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            return new SandboxStatus(SandboxMode.Bwrap, false, $"bubblewrap did not answer within {ProbeTimeout.TotalSeconds} s");
        }

        var text = (await output).Trim();
        return process.ExitCode == 0
            ? new SandboxStatus(SandboxMode.Bwrap, true, null)
            : new SandboxStatus(SandboxMode.Bwrap, false, $"bubblewrap cannot create the namespaces (exit code {process.ExitCode}: {Shorten(text)}); a container needs unprivileged user namespaces and a seccomp profile that allows them (docs/operations.md)");
    }

    /// <summary>
    /// The process that runs <paramref name="command"/> (shell text) in the sandbox, in <paramref name="worktree"/>
    /// (null: no worktree, for the probe). Its own environment is <c>PATH</c> only; the command's is set with
    /// <c>--clearenv</c>. The limits: the run's cgroup (joined by a shell before anything forks) and rlimits (set by
    /// that shell, or by <c>prlimit</c> when there is no cgroup).
    /// </summary>
    internal ProcessStartInfo StartInfo(string? worktree, string command, bool network, TestCgroup? cgroup)
    {
        var info = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        info.Environment.Clear();
        info.Environment["PATH"] = Path;

        var args = info.ArgumentList;
        var fileSize = Limits.FileSizeBytes.ToString(CultureInfo.InvariantCulture);
        var processes = Limits.Processes.ToString(CultureInfo.InvariantCulture);
        // Without a pids cgroup: RLIMIT_NPROC, which counts every process of Atom's user (and is not enforced for root).
        var nproc = cgroup is not { LimitsProcesses: true } && Environment.UserName != "root";
        if (cgroup is { Directories.Count: > 0 })
        {
            // One process all along: the shell sets RLIMIT_FSIZE (in 512-byte blocks), joins each cgroup with its own
            // pid, then becomes bubblewrap, so nothing the command starts is outside the limits.
            info.FileName = "/bin/sh";
            args.Add("-c");
            args.Add("ulimit -f \"$1\" || exit 125; n=$2; shift 2; while [ \"$n\" -gt 0 ]; do echo $$ > \"$1/cgroup.procs\" || exit 125; shift; n=$((n-1)); done; exec \"$@\"");
            args.Add("sh");
            args.Add((Limits.FileSizeBytes / 512).ToString(CultureInfo.InvariantCulture));
            args.Add(cgroup.Directories.Count.ToString(CultureInfo.InvariantCulture));
            foreach (var directory in cgroup.Directories)
            {
                args.Add(directory);
            }

            if (nproc)
            {
                args.Add(Prlimit);
                args.Add($"--nproc={processes}:{processes}");
                args.Add("--");
            }
        }
        else
        {
            info.FileName = Prlimit;
            args.Add($"--fsize={fileSize}:{fileSize}");
            if (nproc)
            {
                args.Add($"--nproc={processes}:{processes}");
            }

            args.Add("--");
        }

        args.Add(BwrapPath);
        foreach (var argument in BwrapArguments(worktree, network))
        {
            args.Add(argument);
        }

        args.Add("--");
        args.Add("/bin/sh");
        args.Add("-c");
        args.Add("exec 2>&1\n" + command);
        return info;
    }

    private static string Prlimit => File.Exists("/usr/bin/prlimit") ? "/usr/bin/prlimit" : "/bin/prlimit";

    private List<string> BwrapArguments(string? worktree, bool network)
    {
        var args = new List<string>
        {
            "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--uid", SandboxId, "--gid", SandboxId, "--hostname", "sandbox",
            "--die-with-parent", "--new-session", "--cap-drop", "ALL",
        };
        if (!network)
        {
            args.Add("--unshare-net");
        }

        var mounted = new List<string>();
        foreach (var tree in SystemTrees)
        {
            var info = new DirectoryInfo(tree);
            if (info.LinkTarget is { } target)
            {
                args.AddRange(["--symlink", target, tree]);
            }
            else if (info.Exists)
            {
                args.AddRange(["--ro-bind", tree, tree]);
                mounted.Add(tree);
            }
        }

        foreach (var entry in EtcEntries.SelectMany(EtcMatches))
        {
            args.AddRange(["--ro-bind", entry, entry]);
            mounted.Add(entry);
        }

        args.AddRange(["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/var/tmp", "--tmpfs", Home]);
        foreach (var hidden in _hidden.Where(h => mounted.Any(m => h == m || h.StartsWith(m + "/", StringComparison.Ordinal))))
        {
            if (Directory.Exists(hidden))
            {
                args.AddRange(["--tmpfs", hidden]);
            }
            else if (File.Exists(hidden))
            {
                args.AddRange(["--ro-bind", "/dev/null", hidden]);
            }
        }

        if (worktree is not null)
        {
            var root = System.IO.Path.GetFullPath(worktree).TrimEnd('/');
            args.AddRange(["--bind", root, root]);
            var git = System.IO.Path.Combine(root, ".git");
            if (File.Exists(git) || Directory.Exists(git))
            {
                // The worktree's .git points into the shared mirror, which is not mounted: git does not work inside,
                // and the pointer cannot be rewritten to aim Atom's own git somewhere else afterwards.
                args.AddRange(["--ro-bind", git, git]);
            }

            args.AddRange(["--chdir", root]);
        }
        else
        {
            args.AddRange(["--chdir", "/"]);
        }

        // The sandbox's root (a tmpfs holding the mount points) read-only: a write outside the worktree, /tmp,
        // /var/tmp and $HOME fails instead of landing somewhere that vanishes.
        args.AddRange(["--remount-ro", "/"]);

        args.AddRange(["--clearenv", "--setenv", "PATH", Path, "--setenv", "HOME", Home, "--setenv", "TMPDIR", "/tmp",
            "--setenv", "LANG", "C.UTF-8", "--setenv", "TERM", "dumb",
            "--setenv", "DOTNET_CLI_TELEMETRY_OPTOUT", "1", "--setenv", "DOTNET_NOLOGO", "1"]);
        return args;
    }

    private static IEnumerable<string> EtcMatches(string entry)
    {
        if (!entry.EndsWith('*'))
        {
            var path = "/etc/" + entry;
            return File.Exists(path) || Directory.Exists(path) ? [path] : [];
        }

        try
        {
            return Directory.EnumerateFileSystemEntries("/etc", entry).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>A path as configured and as resolved through symlinks: either may be what a mounted tree contains.</summary>
    private static IEnumerable<string> Spellings(string path)
    {
        var full = System.IO.Path.GetFullPath(path).TrimEnd('/');
        yield return full;
        FileSystemInfo? resolved = null;
        try
        {
            resolved = File.Exists(full) ? new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true) : new DirectoryInfo(full).ResolveLinkTarget(returnFinalTarget: true);
        }
        catch (IOException)
        {
        }

        if (resolved is not null)
        {
            yield return resolved.FullName.TrimEnd('/');
        }
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
