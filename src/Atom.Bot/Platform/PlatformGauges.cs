using System.Diagnostics.Metrics;
using Atom.Bot.Git;
using Atom.Bot.Health;
using Atom.Bot.Telemetry;
using Atom.Bot.Workers;

namespace Atom.Bot.Platform;

/// <summary>
/// The observable gauges over state other areas keep (spare worktrees, the test sandbox's mode, the platform health
/// mode): read when a reader collects, so they cost nothing between scrapes. The LLM pool's gauges are the pool's own.
/// </summary>
internal sealed class PlatformGauges(AtomMetrics metrics, GitWorkspace git, TestSandbox sandbox, PlatformMode platform) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var meter = metrics.Meter;
        meter.CreateObservableGauge(AtomMetrics.SpareWorktrees, () => git.SpareTotal, "{worktree}", "Spare worktrees ready in this process");
        meter.CreateObservableGauge(AtomMetrics.SandboxMode, SandboxMode, "1", "1 for the test sandbox's mode (bwrap or none), by mode and availability");
        meter.CreateObservableGauge(AtomMetrics.PlatformLevel, PlatformLevel, "1", "The platform health mode: 0 normal, 1 stressed, 2 critical, with the mode as a tag");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private Measurement<int> SandboxMode()
    {
        // The last check's result (the check itself runs a process); none known yet reads as unavailable.
        var status = sandbox.LastStatus;
        return new Measurement<int>(1, new("mode", sandbox.Mode == Configuration.SandboxMode.None ? "none" : "bwrap"), new("available", status?.Available ?? false));
    }

    private Measurement<int> PlatformLevel()
    {
        var level = platform.Level;
        return new Measurement<int>((int)level, new KeyValuePair<string, object?>("mode", level.ToString().ToLowerInvariant()));
    }
}
