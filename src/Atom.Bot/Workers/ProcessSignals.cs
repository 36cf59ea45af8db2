using System.Runtime.InteropServices;

namespace Atom.Bot.Workers;

/// <summary>SIGKILL for a process or (negative id) a process group, where <see cref="System.Diagnostics.Process"/> has no call for it.</summary>
internal static class ProcessSignals
{
    private const int SigKill = 9;

    public static int Kill(int pid) => SendSignal(pid, SigKill);

    [DllImport("libc", EntryPoint = "kill")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SendSignal(int pid, int signal);
}
