using Atom.Bot.Jobs;
using Atom.Bot.Tasks;

namespace Atom.Bot.Supervisor;

public static class SupervisorServiceCollectionExtensions
{
    public static IServiceCollection AddSupervisor(this IServiceCollection services) =>
        services
            .AddSingleton<Planner>()
            .AddSingleton<Auditor>()
            .AddTransient<Evaluator>()
            .AddTransient<PackageAssembler>()
            .AddTransient<TaskSupervisor>()
            .AddWorkItem<AdvanceTask, TaskSupervisor>(JobQueues.Supervisor)
            .AddWorkRecovery<TaskRecovery>();
}
