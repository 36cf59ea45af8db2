using System.Globalization;

namespace Atom.Bot.Workers;

/// <summary>
/// The cgroups of one sandboxed run, children of Atom's own: the <c>pids</c> and <c>memory</c> controllers of cgroup v1
/// (hybrid hosts), or one cgroup v2 directory when those controllers are enabled there. Made only where Atom may write
/// (root, or a delegated subtree); otherwise the run falls back to rlimits. Every process of the run joins before
/// bubblewrap starts (a shell writes its own pid, then execs), so nothing forks outside the limits. Empty cgroups are
/// reused by the next run (<see cref="TestSandbox"/> keeps them): making and removing a memory cgroup costs more than
/// the rest of the sandbox's set-up.
/// </summary>
internal sealed class TestCgroup
{
    private const string Root = "/sys/fs/cgroup";

    /// <summary>Names are <c>atom-test-&lt;Atom's pid&gt;-&lt;guid&gt;</c>, so that cgroups of an Atom that is gone can be told apart.</summary>
    private const string Prefix = "atom-test-";

    private readonly List<string> _directories;

    private TestCgroup(List<string> directories, bool limitsProcesses, bool limitsMemory)
    {
        _directories = directories;
        LimitsProcesses = limitsProcesses;
        LimitsMemory = limitsMemory;
    }

    public IReadOnlyList<string> Directories => _directories;

    public bool LimitsProcesses { get; }

    public bool LimitsMemory { get; }

    /// <summary>Creates the run's cgroups with <paramref name="limits"/>, or null when no controller is writable here.</summary>
    public static TestCgroup? TryCreate(SandboxLimits limits)
    {
        var name = $"{Prefix}{Environment.ProcessId}-{Guid.NewGuid():N}";
        var directories = new List<string>();
        var processes = false;
        var memory = false;
        foreach (var (controller, parent) in Parents())
        {
            var directory = Path.Combine(parent, name);
            try
            {
                Directory.CreateDirectory(directory);
                directories.Add(directory);
                if (controller is "pids" or "" && File.Exists(Path.Combine(directory, "pids.max")))
                {
                    File.WriteAllText(Path.Combine(directory, "pids.max"), limits.Processes.ToString(CultureInfo.InvariantCulture));
                    processes = true;
                }

                var bytes = limits.MemoryBytes.ToString(CultureInfo.InvariantCulture);
                if (controller == "memory")
                {
                    File.WriteAllText(Path.Combine(directory, "memory.limit_in_bytes"), bytes);
                    memory = true;
                }
                else if (controller == "" && File.Exists(Path.Combine(directory, "memory.max")))
                {
                    File.WriteAllText(Path.Combine(directory, "memory.max"), bytes);
                    memory = true;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not ours to write (a container without delegation): this controller is left to the rlimit fallback.
            }
        }

        var cgroup = new TestCgroup(directories, processes, memory);
        if (!processes && !memory)
        {
            cgroup.Remove();
            return null;
        }

        return cgroup;
    }

    /// <summary>No process left in any of the run's cgroups: the cgroup can serve the next run.</summary>
    public bool IsEmpty => _directories.All(d => !Processes(d).Any());

    /// <summary>
    /// Waits up to half a second for the run's processes to leave (the sandbox's own init and the processes it killed
    /// exit a moment after the shell Atom waited for, more so on a busy machine). True when the cgroup emptied.
    /// </summary>
    public bool WaitEmpty()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (IsEmpty)
            {
                return true;
            }

            Thread.Sleep(10);
        }

        return IsEmpty;
    }

    /// <summary>
    /// Removes the run cgroups an Atom process that no longer exists left behind (a crash, a kill, a process that ended
    /// without disposing its sandbox), ending whatever still runs in them. Returns how many were removed.
    /// </summary>
    public static int RemoveStale()
    {
        var removed = 0;
        foreach (var (_, parent) in Parents())
        {
            IEnumerable<string> children;
            try
            {
                children = Directory.EnumerateDirectories(parent, Prefix + "*").ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var directory in children)
            {
                var owner = System.IO.Path.GetFileName(directory)[Prefix.Length..].Split('-')[0];
                if (int.TryParse(owner, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && !Directory.Exists($"/proc/{pid}"))
                {
                    new TestCgroup([directory], false, false).Remove();
                    removed += Directory.Exists(directory) ? 0 : 1;
                }
            }
        }

        return removed;
    }

    /// <summary>SIGKILLs every process still in the run's cgroups (whatever escaped the PID namespace's end, if anything).</summary>
    public void KillAll()
    {
        foreach (var directory in _directories)
        {
            foreach (var pid in Processes(directory))
            {
                _ = ProcessSignals.Kill(pid);
            }
        }
    }

    /// <summary>Removes the cgroups once they are empty (waits briefly for killed processes to be reaped).</summary>
    public void Remove()
    {
        foreach (var directory in _directories)
        {
            for (var attempt = 0; attempt < 50; attempt++)
            {
                try
                {
                    Directory.Delete(directory);
                    break;
                }
                catch (DirectoryNotFoundException)
                {
                    break;
                }
                catch (IOException)
                {
                    foreach (var pid in Processes(directory))
                    {
                        _ = ProcessSignals.Kill(pid);
                    }

                    Thread.Sleep(10);
                }
                catch (UnauthorizedAccessException)
                {
                    break;
                }
            }
        }
    }

    private static IEnumerable<int> Processes(string directory)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(Path.Combine(directory, "cgroup.procs"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        return lines.Select(l => int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0).Where(p => p > 0);
    }

    /// <summary>Atom's own cgroup in each usable hierarchy: "pids" and "memory" (v1), or "" for the v2 unified tree.</summary>
    private static IEnumerable<(string Controller, string Directory)> Parents()
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines("/proc/self/cgroup");
        }
        catch (IOException)
        {
            yield break;
        }

        var unified = File.Exists(Path.Combine(Root, "cgroup.controllers"));
        foreach (var line in lines)
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }

            var relative = parts[2].TrimStart('/');
            if (parts[1] is "pids" or "memory")
            {
                var directory = Path.Combine(Root, parts[1], relative);
                if (Directory.Exists(directory))
                {
                    yield return (parts[1], directory);
                }
            }
            else if (parts[0] == "0" && parts[1].Length == 0 && unified)
            {
                yield return ("", Path.Combine(Root, relative));
            }
        }
    }
}
