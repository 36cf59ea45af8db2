using System.Globalization;

namespace Atom.Bot.Health;

/// <summary>
/// Decides the mode from each reading, with hysteresis: a worse reading takes effect at once; a better one only after
/// <see cref="CalmReadingsToRecover"/> readings in a row that are better by a margin (latency under 1.5× its baseline
/// rather than 2×, thermal level under the threshold), so that a reading near a threshold does not flip the mode back
/// and forth. The latency baseline follows the latency seen while normal (an exponential average), never while stressed.
/// </summary>
public sealed class PlatformModePolicy
{
    public const int CalmReadingsToRecover = 3;
    private const double EnterFactor = 2.0;
    private const double LeaveFactor = 1.5;
    private const double BaselineWeight = 0.1;

    private int _calm;

    /// <summary>The inference latency taken as normal, in milliseconds; null until a reading gives one.</summary>
    public double? BaselineLatencyMs { get; private set; }

    /// <summary>The state after <paramref name="reading"/>: <paramref name="current"/> itself when nothing changes.</summary>
    public PlatformState Next(PlatformState current, PlatformReading reading, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(reading);
        var (raw, rawReason) = Classify(reading, EnterFactor);
        var (calm, calmReason) = Classify(reading, LeaveFactor);
        PlatformState next;
        if (raw > current.Level)
        {
            _calm = 0;
            next = new PlatformState(raw, rawReason, now, reading);
        }
        else if (calm < current.Level)
        {
            _calm++;
            next = _calm >= CalmReadingsToRecover
                ? new PlatformState(calm, calm == PlatformLevel.Normal ? $"recovered: {calmReason}" : calmReason, now, reading)
                : current with { Reading = reading };
            if (next.Level != current.Level)
            {
                _calm = 0;
            }
        }
        else
        {
            _calm = 0;
            next = current with { Reading = reading };
        }

        if (next.Level == PlatformLevel.Normal && reading.InferenceLatencyMs is { } latency
            && (BaselineLatencyMs is not { } baseline || latency <= baseline * EnterFactor))
        {
            BaselineLatencyMs = BaselineLatencyMs is { } previous ? previous + (BaselineWeight * (latency - previous)) : latency;
        }

        return next;
    }

    private (PlatformLevel Level, string Reason) Classify(PlatformReading reading, double latencyFactor)
    {
        if (reading.ThermalLevel >= 3)
        {
            return (PlatformLevel.Critical, $"thermal level {reading.ThermalLevel}");
        }

        if (reading.ThermalLevel == 2)
        {
            return (PlatformLevel.Stressed, "thermal level 2");
        }

        if (reading.InferenceLatencyMs is { } latency && BaselineLatencyMs is { } baseline && latency > baseline * latencyFactor)
        {
            return (PlatformLevel.Stressed, string.Create(CultureInfo.InvariantCulture, $"inference latency {latency:0} ms, over {latencyFactor:0.#}× its baseline of {baseline:0} ms"));
        }

        return (PlatformLevel.Normal, string.Create(CultureInfo.InvariantCulture, $"thermal level {reading.ThermalLevel?.ToString(CultureInfo.InvariantCulture) ?? "not reported"}, inference latency {(reading.InferenceLatencyMs is { } l ? $"{l:0} ms" : "not reported")}"));
    }
}
