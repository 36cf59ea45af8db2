using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Atom.Bot.Telemetry;

/// <summary>
/// An in-process reader of one <see cref="Meter"/>: the running sum and count of every counter and histogram
/// measurement, by instrument and tag set. <c>/status</c> reads its numbers here, from the same measurements that
/// <c>/metrics</c> and OTLP export, so the two can never disagree. Only the given meter instance is read (another
/// service in the same process with a meter of the same name is not counted).
/// </summary>
public sealed class MeterTotals : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, Series>> _instruments = new(StringComparer.Ordinal);

    public MeterTotals(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && !instrument.IsObservable)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The sum of <paramref name="instrument"/>'s measurements whose tags include every pair of <paramref name="where"/>.</summary>
    public double Sum(string instrument, params ReadOnlySpan<KeyValuePair<string, object?>> where)
    {
        var sum = 0.0;
        foreach (var series in Matching(instrument, where))
        {
            sum += series.Sum;
        }

        return sum;
    }

    /// <summary>How many measurements of <paramref name="instrument"/> (a histogram's count) match <paramref name="where"/>.</summary>
    public long Count(string instrument, params ReadOnlySpan<KeyValuePair<string, object?>> where)
    {
        var count = 0L;
        foreach (var series in Matching(instrument, where))
        {
            count += series.Count;
        }

        return count;
    }

    public void Dispose() => _listener.Dispose();

    private List<Series> Matching(string instrument, ReadOnlySpan<KeyValuePair<string, object?>> where)
    {
        var found = new List<Series>();
        if (!_instruments.TryGetValue(instrument, out var all))
        {
            return found;
        }

        foreach (var series in all.Values)
        {
            if (series.Has(where))
            {
                found.Add(series);
            }
        }

        return found;
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var all = _instruments.GetOrAdd(instrument.Name, _ => new ConcurrentDictionary<string, Series>(StringComparer.Ordinal));
        var key = Key(tags);
        if (!all.TryGetValue(key, out var series))
        {
            series = all.GetOrAdd(key, new Series(tags.ToArray()));
        }

        series.Add(value);
    }

    // Tag order is the caller's, so the key sorts them: one series per tag set, however it was written.
    private static string Key(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return "";
        }

        var pairs = new string[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            pairs[i] = $"{tags[i].Key}={tags[i].Value}";
        }

        Array.Sort(pairs, StringComparer.Ordinal);
        return string.Join('\u001f', pairs);
    }

    private sealed class Series(KeyValuePair<string, object?>[] tags)
    {
        private readonly Lock _lock = new();
        private double _sum;
        private long _count;

        public double Sum
        {
            get
            {
                lock (_lock)
                {
                    return _sum;
                }
            }
        }

        public long Count
        {
            get
            {
                lock (_lock)
                {
                    return _count;
                }
            }
        }

        public void Add(double value)
        {
            lock (_lock)
            {
                _sum += value;
                _count++;
            }
        }

        public bool Has(ReadOnlySpan<KeyValuePair<string, object?>> where)
        {
            foreach (var wanted in where)
            {
                if (!Array.Exists(tags, t => t.Key == wanted.Key && Equals(Convert.ToString(t.Value, System.Globalization.CultureInfo.InvariantCulture), Convert.ToString(wanted.Value, System.Globalization.CultureInfo.InvariantCulture))))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
