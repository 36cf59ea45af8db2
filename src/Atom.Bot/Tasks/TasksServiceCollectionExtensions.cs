namespace Atom.Bot.Tasks;

public static class TasksServiceCollectionExtensions
{
    public static IServiceCollection AddTasks(this IServiceCollection services) =>
        services.AddSingleton<TaskStore>().AddSingleton<AssignmentStore>().AddSingleton<TokenBudget>().AddSingleton<ReviewThreadStore>().AddTransient<TaskIntake>();
}
