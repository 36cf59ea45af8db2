using Atom.Bot.Configuration;
using Atom.Bot.Jobs;
using Atom.Bot.Telemetry;

namespace Atom.Bot.Workers;

public static class WorkersServiceCollectionExtensions
{
    /// <summary>The agent loop and the assignment job; limits from <c>ATOM_WORKER_MAX_STEPS</c> and the default deadline; the test sandbox (<c>ATOM_SANDBOX</c>, its <see cref="SandboxOptions"/> slice), probed at start.</summary>
    public static IServiceCollection AddWorkers(this IServiceCollection services, AtomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(new AgentLimits(options.WorkerMaxSteps, AgentLimits.DefaultDeadline, options.LlmContextTokens));
        services.AddSingleton<AgentLoop>();
        services.AddSingleton(SandboxOptions.From(options));
        services.AddSingleton(provider => TestSandbox.For(provider.GetRequiredService<SandboxOptions>(), provider.GetRequiredService<ILogger<TestSandbox>>()));
        services.AddSingleton(provider => new TestRunner(options.Secrets(), provider.GetRequiredService<TestSandbox>(), provider.GetRequiredService<ILogger<TestRunner>>(), provider.GetService<AtomMetrics>()));
        services.AddHostedService<SandboxStartupCheck>();
        services.AddSingleton<CommitPublisher>();
        services.AddTransient<AssignmentWorker>();
        services.AddWorkItem<RunAssignment, AssignmentWorker>(JobQueues.Workers);
        services.AddWorkRecovery<AssignmentRecovery>();
        return services;
    }
}
