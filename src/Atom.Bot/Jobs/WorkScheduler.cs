using System.Collections.Frozen;
using Hangfire;

namespace Atom.Bot.Jobs;

/// <summary>
/// Enqueues work items on the queue their area registered. The job names only the processor interface and the item, so
/// Jobs knows no area and an area's processor can change without touching the scheduler.
/// </summary>
public sealed class WorkScheduler(IBackgroundJobClient jobs, IEnumerable<WorkItemRegistration> registrations)
{
    private readonly FrozenDictionary<Type, string> _queues = registrations.ToFrozenDictionary(r => r.WorkItem, r => r.Queue);

    public string Enqueue<TWork>(TWork work)
        where TWork : IWorkItem
    {
        ArgumentNullException.ThrowIfNull(work);
        return jobs.Enqueue<IWorkItemProcessor<TWork>>(QueueOf<TWork>(), p => p.ProcessAsync(work, CancellationToken.None));
    }

    /// <summary>Enqueues the item once <paramref name="delay"/> has passed (on whichever instance's scheduler is first).</summary>
    public string Schedule<TWork>(TWork work, TimeSpan delay)
        where TWork : IWorkItem
    {
        ArgumentNullException.ThrowIfNull(work);
        return jobs.Schedule<IWorkItemProcessor<TWork>>(QueueOf<TWork>(), p => p.ProcessAsync(work, CancellationToken.None), delay);
    }

    private string QueueOf<TWork>() =>
        _queues.TryGetValue(typeof(TWork), out var queue)
            ? queue
            : throw new InvalidOperationException($"No processor is registered for {typeof(TWork).Name}: call services.AddWorkItem<{typeof(TWork).Name}, TProcessor>(queue) in its area.");

    /// <summary>Enqueues each item (recovery's re-enqueue of what a store lists as unfinished) and says how many.</summary>
    public int EnqueueAll<TWork>(IEnumerable<TWork> work)
        where TWork : IWorkItem
    {
        ArgumentNullException.ThrowIfNull(work);
        var count = 0;
        foreach (var item in work)
        {
            Enqueue(item);
            count++;
        }

        return count;
    }

    /// <summary>Deletes a job; a running one sees its cancellation token fire at Hangfire's next check.</summary>
    public bool Delete(string jobId) => jobs.Delete(jobId);
}
