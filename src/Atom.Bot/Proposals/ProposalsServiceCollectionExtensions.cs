namespace Atom.Bot.Proposals;

public static class ProposalsServiceCollectionExtensions
{
    public static IServiceCollection AddProposals(this IServiceCollection services) =>
        services
            .AddSingleton<ProposalStore>()
            .AddSingleton(GapThresholds.Default)
            .AddTransient<ProposalDashboard>()
            .AddTransient<ProposalWriter>()
            .AddTransient<ProposalDrafter>()
            .AddTransient<ProposalHandler>()
            .AddTransient<ProposalImplementer>();
}
