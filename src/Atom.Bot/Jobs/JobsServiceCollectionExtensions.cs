using Atom.Bot.Configuration;
using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.InMemory;

namespace Atom.Bot.Jobs;

public static class JobsServiceCollectionExtensions
{
    /// <summary>Hangfire with in-memory storage, or PostgreSQL when <c>ATOM_JOB_STORAGE</c> is a connection string.</summary>
    public static IServiceCollection AddJobs(this IServiceCollection services, AtomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var jobOptions = JobOptions.From(options);
        services.AddSingleton(jobOptions);

        // Storage and activator are per service instance, not Hangfire's process-wide statics, so that two services in
        // one process (tests, or a restart on the same data directory) never run each other's jobs.
        services.AddSingleton<JobStorage>(_ => jobOptions.Shared ? SharedJobs.Open(jobOptions) : new InMemoryStorage());
        services.AddHangfire((provider, config) =>
        {
            config.UseLogProvider(new ServiceLogProvider(provider.GetRequiredService<ILoggerFactory>()));
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UseFilter(new AutomaticRetryAttribute { Attempts = 5, DelaysInSeconds = [5, 15, 60, 300, 900] });
        });

        // One server per kind of work, so long worker jobs never starve webhook processing.
        AddServer(services, JobQueues.Ingress, 2);
        AddServer(services, JobQueues.Supervisor, 2);
        AddServer(services, JobQueues.Workers, options.LlmConcurrency);
        services.AddSingleton<WorkScheduler>();
        services.AddHostedService<JobRecovery>();
        return services;
    }

    private static void AddServer(IServiceCollection services, string queue, int workers) =>
        services.AddHangfireServer((provider, o) =>
        {
            o.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}:{queue}";
            o.Queues = [queue];
            o.WorkerCount = Math.Max(1, workers);
            o.Activator = new AspNetCoreJobActivator(provider.GetRequiredService<IServiceScopeFactory>());
            o.SchedulePollingInterval = TimeSpan.FromSeconds(1);
        });

    /// <summary>
    /// Registers a kind of work item with its processor and queue, as each area does for its own work: the scheduler
    /// puts <typeparamref name="TWork"/> on <paramref name="queue"/> and Hangfire runs it with <typeparamref name="TProcessor"/>.
    /// </summary>
    public static IServiceCollection AddWorkItem<TWork, TProcessor>(this IServiceCollection services, string queue)
        where TWork : IWorkItem
        where TProcessor : class, IWorkItemProcessor<TWork>
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queue);
        services.AddSingleton(new WorkItemRegistration(typeof(TWork), queue));
        services.AddTransient<IWorkItemProcessor<TWork>>(provider => new LoggedWorkItemProcessor<TWork, TProcessor>(
            provider.GetRequiredService<TProcessor>(), provider.GetRequiredService<ILogger<TProcessor>>()));
        return services;
    }

    /// <summary>Adds an area's part of recovery on start (<see cref="IWorkRecovery"/>).</summary>
    public static IServiceCollection AddWorkRecovery<TRecovery>(this IServiceCollection services)
        where TRecovery : class, IWorkRecovery =>
        services.AddSingleton<IWorkRecovery, TRecovery>();
}
