namespace Atom.Bot.Jobs;

/// <summary>Handles one kind of work item; Hangfire resolves it from the container when the job runs.</summary>
public interface IWorkItemProcessor<in TWork>
    where TWork : IWorkItem
{
    Task ProcessAsync(TWork work, CancellationToken cancellationToken);
}
