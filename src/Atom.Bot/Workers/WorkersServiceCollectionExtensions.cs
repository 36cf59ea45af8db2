using Atom.Bot.Configuration;

namespace Atom.Bot.Workers;

public static class WorkersServiceCollectionExtensions
{
    /// <summary>The agent loop and the assignment job; limits from <c>ATOM_WORKER_MAX_STEPS</c> and the default deadline.</summary>
    public static IServiceCollection AddWorkers(this IServiceCollection services, AtomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(new AgentLimits(options.WorkerMaxSteps, AgentLimits.DefaultDeadline));
        services.AddSingleton<AgentLoop>();
        services.AddSingleton(provider => new TestRunner(options.Secrets(), provider.GetRequiredService<ILogger<TestRunner>>()));
        services.AddTransient<AssignmentWorker>();
        return services;
    }
}
