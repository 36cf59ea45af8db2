namespace Atom.Bot.Workers;

/// <summary>
/// The cumulative change of one assignment against the files as they were when first touched, enforcing
/// <see cref="Scope.MaxFiles"/> (distinct files that differ from their start) and <see cref="Scope.MaxChangedLines"/>
/// (added plus removed lines over all files). The caller asks for a <see cref="Refusal"/>, applies the change, then
/// <see cref="Record"/>s it, so a change that failed on disk is not counted.
/// </summary>
internal sealed class ChangeLedger(int maxFiles, int maxChangedLines)
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public IReadOnlyList<string> ChangedFiles =>
        [.. _entries.Where(e => e.Value.IsChanged).Select(e => e.Key).Order(StringComparer.Ordinal)];

    public int LinesAdded => _entries.Values.Sum(e => e.Change.Added);

    public int LinesRemoved => _entries.Values.Sum(e => e.Change.Removed);

    /// <summary>The content <paramref name="path"/> had when first touched (null: it did not exist), if it was touched.</summary>
    public bool TryGetOriginal(string path, out string? original)
    {
        var known = _entries.TryGetValue(path, out var entry);
        original = entry?.Original;
        return known;
    }

    /// <summary>Why changing <paramref name="path"/> from <paramref name="original"/> to <paramref name="content"/> (null: deleted) is refused, or null with the file's <paramref name="change"/>.</summary>
    public string? Refusal(string path, string? original, string? content, out LineChange change)
    {
        change = default;
        var others = _entries.Where(e => e.Key != path).Select(e => e.Value).ToList();
        var files = others.Count(e => e.IsChanged) + (IsChanged(original, content) ? 1 : 0);
        if (files > maxFiles)
        {
            return $"would make {files} changed files; the scope allows at most {maxFiles} per assignment";
        }

        var budget = maxChangedLines - others.Sum(e => e.Change.Total);
        var counted = LineDiff.Count(original ?? "", content ?? "", budget);
        if (counted is null)
        {
            return $"would bring the changed lines over the limit of {maxChangedLines} for the assignment (added plus removed, against the files as they were at the start; {budget} left for this file)";
        }

        change = counted.Value;
        return null;
    }

    public void Record(string path, string? original, string? content, LineChange change) =>
        _entries[path] = new Entry(original, change, IsChanged(original, content));

    private static bool IsChanged(string? original, string? content) => !string.Equals(original, content, StringComparison.Ordinal);

    private sealed record Entry(string? Original, LineChange Change, bool IsChanged);
}
