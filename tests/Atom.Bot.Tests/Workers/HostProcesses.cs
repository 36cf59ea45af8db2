namespace Atom.Bot.Tests.Workers;

/// <summary>The host's view of running processes, to check what a test run left behind (also compiled into the integration tests).</summary>
internal static class HostProcesses
{
    /// <summary>Processes of the host (not this one) whose command line holds <paramref name="marker"/>, zombies excluded.</summary>
    public static List<int> WithMarker(string marker)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Join(directory, "cmdline")).Contains(marker, StringComparison.Ordinal)
                    && !File.ReadAllText(Path.Join(directory, "stat")).Contains(") Z ", StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process ended while it was read.
            }
        }

        return found;
    }
}
