using System.Collections;
using System.Diagnostics;
using System.Text;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>
/// The spans an in-memory exporter hands over, safe to read while jobs still end spans on other threads, and printed
/// as one tree per trace.
/// </summary>
public sealed class SpanCollection : ICollection<Activity>
{
    private readonly Lock _lock = new();
    private readonly List<Activity> _spans = [];

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _spans.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    /// <summary>A copy of the spans ended so far.</summary>
    public IReadOnlyList<Activity> Snapshot()
    {
        lock (_lock)
        {
            return [.. _spans];
        }
    }

    public void Add(Activity item)
    {
        lock (_lock)
        {
            _spans.Add(item);
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _spans.Clear();
        }
    }

    public bool Contains(Activity item)
    {
        lock (_lock)
        {
            return _spans.Contains(item);
        }
    }

    public void CopyTo(Activity[] array, int arrayIndex)
    {
        lock (_lock)
        {
            _spans.CopyTo(array, arrayIndex);
        }
    }

    public bool Remove(Activity item)
    {
        lock (_lock)
        {
            return _spans.Remove(item);
        }
    }

    public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Each trace of <paramref name="spans"/> as an indented tree, in start order, with the given tags.</summary>
    public static string Tree(IEnumerable<Activity> spans, params string[] tags)
    {
        var all = spans.OrderBy(s => s.StartTimeUtc).ToList();
        var ids = all.Select(s => s.SpanId).ToHashSet();
        var text = new StringBuilder();
        foreach (var root in all.Where(s => s.ParentSpanId == default || !ids.Contains(s.ParentSpanId)))
        {
            Write(root, 0);
        }

        return text.ToString();

        void Write(Activity span, int depth)
        {
            var shown = tags.Select(t => (t, span.GetTagItem(t))).Where(p => p.Item2 is not null).Select(p => $"{p.t}={Format(p.Item2)}");
            text.Append(' ', depth * 2).Append(span.DisplayName).Append("  (").Append((int)span.Duration.TotalMilliseconds).Append(" ms)");
            var joined = string.Join(' ', shown);
            text.AppendLine(joined.Length == 0 ? "" : "  " + joined);
            foreach (var child in all.Where(s => s.ParentSpanId == span.SpanId))
            {
                Write(child, depth + 1);
            }
        }

        static string Format(object? value) => value is IEnumerable<string> list && value is not string ? string.Join(',', list) : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }
}
