namespace Atom.Bot.Approval;

public static class ApprovalServiceCollectionExtensions
{
    public static IServiceCollection AddApproval(this IServiceCollection services) =>
        services
            .AddSingleton<ApprovalStore>()
            .AddSingleton<ApproverCheck>()
            .AddTransient<ApprovalGate>()
            .AddTransient<TaskMerger>()
            .AddTransient<ApprovalHandler>()
            .AddTransient<ReviewComments>()
            .AddTransient<CodeOwners>();
}
