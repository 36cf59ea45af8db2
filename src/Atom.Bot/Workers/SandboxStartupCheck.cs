using Atom.Bot.Configuration;
using Microsoft.Extensions.Logging;

namespace Atom.Bot.Workers;

/// <summary>
/// Probes the test sandbox once at start-up so the log says at once whether tests can run: a warning when
/// <c>ATOM_SANDBOX=none</c> or when bubblewrap is unusable. Readiness is not affected: without a sandbox Atom keeps
/// planning, working and packaging, and every package says the tests did not run.
/// </summary>
internal sealed class SandboxStartupCheck(TestSandbox sandbox, ILogger<SandboxStartupCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (sandbox.Mode == SandboxMode.None)
        {
            Log.SandboxOff(logger);
            return;
        }

        var status = await sandbox.CheckAsync(cancellationToken);
        if (status.Available)
        {
            TestCgroup.RemoveStale();
            var cgroup = sandbox.RentCgroup();
            Log.SandboxLimitsApplied(logger,
                cgroup is { LimitsMemory: true } ? $"{sandbox.Limits.MemoryBytes >> 20} MiB (cgroup)" : "none (no writable memory cgroup)",
                cgroup is { LimitsProcesses: true } ? $"{sandbox.Limits.Processes} (cgroup pids)" : $"{sandbox.Limits.Processes} (RLIMIT_NPROC for Atom's whole user; not enforced for root)");
            if (cgroup is not null)
            {
                sandbox.ReturnCgroup(cgroup);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
