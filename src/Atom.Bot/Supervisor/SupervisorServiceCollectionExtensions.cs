using Atom.Bot.Configuration;
using Atom.Bot.Jobs;
using Atom.Bot.Tasks;

namespace Atom.Bot.Supervisor;

public static class SupervisorServiceCollectionExtensions
{
    /// <summary>The supervisor's services; its <see cref="PlannerOptions"/> come from the registered <see cref="AtomOptions"/>.</summary>
    public static IServiceCollection AddSupervisor(this IServiceCollection services) =>
        services
            .AddSingleton(sp => PlannerOptions.From(sp.GetRequiredService<AtomOptions>()))
            .AddSingleton<Planner>()
            .AddSingleton<Auditor>()
            .AddTransient<Evaluator>()
            .AddTransient<PackageAssembler>()
            .AddTransient<ReviewFeedback>()
            .AddTransient<TaskSupervisor>()
            .AddWorkItem<AdvanceTask, TaskSupervisor>(JobQueues.Supervisor)
            .AddWorkRecovery<TaskRecovery>()
            .AddHostedService<PlatformResume>();
}
