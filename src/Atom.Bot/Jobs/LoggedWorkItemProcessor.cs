using System.Reflection;

namespace Atom.Bot.Jobs;

/// <summary>
/// Runs a work item inside a logging scope that carries its kind and ids (<c>WorkItem=AdvanceTask, TaskId=42</c>), so
/// every line a job logs can be traced to its task or assignment without each message repeating the ids.
/// </summary>
internal sealed class LoggedWorkItemProcessor<TWork, TProcessor>(TProcessor processor, ILogger<TProcessor> logger) : IWorkItemProcessor<TWork>
    where TWork : IWorkItem
    where TProcessor : class, IWorkItemProcessor<TWork>
{
    private static readonly PropertyInfo[] Ids = typeof(TWork).GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
        .ToArray();

    public async Task ProcessAsync(TWork work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        using (logger.BeginScope(Scope(work)))
        {
            await processor.ProcessAsync(work, cancellationToken);
        }
    }

    /// <summary>The scope's state: the work item's kind and each of its properties (ids only, by design).</summary>
    internal static IReadOnlyList<KeyValuePair<string, object?>> Scope(TWork work) =>
        new WorkItemScope([new("WorkItem", typeof(TWork).Name), .. Ids.Select(p => new KeyValuePair<string, object?>(p.Name, p.GetValue(work)))]);

    /// <summary>Pairs for structured formatters (JSON), and <c>AdvanceTask TaskId=42</c> for the plain console.</summary>
    private sealed class WorkItemScope(List<KeyValuePair<string, object?>> pairs) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public int Count => pairs.Count;

        public KeyValuePair<string, object?> this[int index] => pairs[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => pairs.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => string.Join(' ', [$"{pairs[0].Value}", .. pairs.Skip(1).Select(p => $"{p.Key}={p.Value}")]);
    }
}
