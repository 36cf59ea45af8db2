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
        [new("WorkItem", typeof(TWork).Name), .. Ids.Select(p => new KeyValuePair<string, object?>(p.Name, p.GetValue(work)))];
}
