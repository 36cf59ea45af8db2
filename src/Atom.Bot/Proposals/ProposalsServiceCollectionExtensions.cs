using Atom.Bot.Jobs;
using Atom.Bot.Tasks;

namespace Atom.Bot.Proposals;

public static class ProposalsServiceCollectionExtensions
{
    public static IServiceCollection AddProposals(this IServiceCollection services) =>
        services
            .AddSingleton<ProposalStore>()
            .AddTransient<ProposalDashboard>()
            .AddTransient<ProposalWriter>()
            .AddTransient<ProposalDrafter>()
            .AddTransient<ProposalHandler>()
            .AddTransient<ProposalImplementer>()
            .AddWorkItem<TaskSettled, ProposalDrafter>(JobQueues.Supervisor)
            .AddWorkItem<ImplementProposal, ProposalImplementer>(JobQueues.Supervisor)
            .AddWorkRecovery<ProposalRecovery>();
}
