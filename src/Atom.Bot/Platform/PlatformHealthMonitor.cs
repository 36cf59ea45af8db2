using Atom.Bot.Audit;
using Atom.Bot.Configuration;
using Atom.Bot.Health;

namespace Atom.Bot.Platform;

/// <summary>
/// Polls <c>ATOM_HEALTH_URL</c> and sets the <see cref="PlatformMode"/> that the rest of Atom reads, through
/// <see cref="PlatformModePolicy"/>. Each change of mode is audited and logged. An unreachable or garbled health API
/// changes nothing (Atom never stops working because the health API is down) and is logged once, until it answers
/// again.
/// </summary>
public sealed partial class PlatformHealthMonitor(
    AtomOptions options,
    PlatformMode mode,
    AuditLog audit,
    TimeProvider clock,
    ILogger<PlatformHealthMonitor> logger,
    PlatformHealthTuning? tuning = null) : BackgroundService
{
    private readonly PlatformHealthTuning _tuning = tuning ?? PlatformHealthTuning.Default;
    private readonly PlatformModePolicy _policy = new();
    private bool _failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.HealthUrl is not { } url)
        {
            return;
        }

        using var http = new HttpClient { Timeout = _tuning.RequestTimeout };
        using var timer = new PeriodicTimer(_tuning.PollInterval, clock);
        try
        {
            do
            {
                await PollAsync(http, url, stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task PollAsync(HttpClient http, Uri url, CancellationToken cancellationToken)
    {
        PlatformReading? reading;
        string? problem;
        try
        {
            using var response = await http.GetAsync(url, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            (reading, problem) = response.IsSuccessStatusCode
                ? (PlatformReading.Parse(body, out var parseProblem), parseProblem)
                : (null, $"HTTP {(int)response.StatusCode}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            (reading, problem) = (null, ex.Message);
        }

        if (reading is null)
        {
            if (!_failing)
            {
                _failing = true;
                LogUnusable(logger, url, problem ?? "no answer", mode.Level);
            }

            return;
        }

        if (_failing)
        {
            _failing = false;
            LogAnsweringAgain(logger, url);
        }

        var current = mode.Current;
        var next = _policy.Next(current, reading, clock.GetUtcNow());
        if (next.Level != current.Level)
        {
            await audit.RecordAsync(AuditKinds.PlatformMode, null, Actors.Atom, new
            {
                from = current.Level.ToString().ToLowerInvariant(),
                to = next.Level.ToString().ToLowerInvariant(),
                reason = next.Reason,
                reading = new
                {
                    thermalLevel = reading.ThermalLevel,
                    inferenceLatencyMs = reading.InferenceLatencyMs,
                    baselineLatencyMs = _policy.BaselineLatencyMs,
                    vramUsedMb = reading.VramUsedMb,
                    vramTotalMb = reading.VramTotalMb,
                    load = reading.Load,
                },
            }, cancellationToken);
            LogModeChanged(logger, current.Level, next.Level, next.Reason);
        }

        mode.Set(next);
    }

    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "Platform mode {From} -> {To}: {Reason}")]
    private static partial void LogModeChanged(ILogger logger, PlatformLevel from, PlatformLevel to, string reason);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Warning, Message = "The health API {Url} gives no usable answer ({Problem}); the platform mode stays {Level} until it does")]
    private static partial void LogUnusable(ILogger logger, Uri url, string problem, PlatformLevel level);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Information, Message = "The health API {Url} answers again")]
    private static partial void LogAnsweringAgain(ILogger logger, Uri url);
}
