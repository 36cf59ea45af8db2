namespace Atom.Bot.Supervisor;

public static class SupervisorServiceCollectionExtensions
{
    public static IServiceCollection AddSupervisor(this IServiceCollection services) =>
        services.AddTransient<TaskSupervisor>();
}
