namespace Atom.Bot.Workers;

/// <summary>
/// Counts added and removed lines between two texts: the shortest edit script of Myers' O(ND) algorithm (what git's
/// diff also minimises), after trimming the common head and tail. A line includes its end-of-line, so a missing final
/// newline counts as a change, as in git. The search stops once the count exceeds a limit, which keeps an
/// over-budget write cheap to refuse.
/// </summary>
internal static class LineDiff
{
    /// <summary>The change from <paramref name="before"/> to <paramref name="after"/>, or null if more than <paramref name="limit"/> lines change.</summary>
    public static LineChange? Count(string before, string after, int limit)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var a = Lines(before, ids);
        var b = Lines(after, ids);

        var start = 0;
        while (start < a.Length && start < b.Length && a[start] == b[start])
        {
            start++;
        }

        var endA = a.Length;
        var endB = b.Length;
        while (endA > start && endB > start && a[endA - 1] == b[endB - 1])
        {
            endA--;
            endB--;
        }

        var n = endA - start;
        var m = endB - start;
        if (Math.Abs(n - m) > limit)
        {
            return null;
        }

        var d = EditDistance(a.AsSpan(start, n), b.AsSpan(start, m), limit);
        return d is { } distance ? new LineChange((distance + m - n) / 2, (distance - m + n) / 2) : null;
    }

    private static int? EditDistance(ReadOnlySpan<int> a, ReadOnlySpan<int> b, int limit)
    {
        var n = a.Length;
        var m = b.Length;
        if (n == 0 || m == 0)
        {
            return n + m <= limit ? n + m : null;
        }

        var max = Math.Min(n + m, limit);
        var offset = max + 1;
        var v = new int[(2 * max) + 3];
        for (var d = 0; d <= max; d++)
        {
            for (var k = -d; k <= d; k += 2)
            {
                var x = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])
                    ? v[offset + k + 1]
                    : v[offset + k - 1] + 1;
                var y = x - k;
                while (x < n && y < m && a[x] == b[y])
                {
                    x++;
                    y++;
                }

                v[offset + k] = x;
                if (x >= n && y >= m)
                {
                    return d;
                }
            }
        }

        return null;
    }

    private static int[] Lines(string text, Dictionary<string, int> ids)
    {
        var lines = new List<int>();
        var start = 0;
        while (start < text.Length)
        {
            var end = text.IndexOf('\n', start);
            end = end < 0 ? text.Length : end + 1;
            var line = text[start..end];
            if (!ids.TryGetValue(line, out var id))
            {
                id = ids.Count;
                ids.Add(line, id);
            }

            lines.Add(id);
            start = end;
        }

        return [.. lines];
    }
}
