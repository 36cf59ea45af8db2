using Atom.Bot.Configuration;

namespace Atom.Bot.GitHub;

public static class GitHubServiceCollectionExtensions
{
    public static IServiceCollection AddGitHub(this IServiceCollection services, AtomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(GitHubOptions.From(options));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new GitHubRetryPolicy());
        services.AddSingleton<GitHubConnectionFactory>();
        services.AddSingleton<GitHubCredentials>();
        services.AddSingleton<GitHubClientFactory>();
        services.AddSingleton<RepoSettingsReader>();
        services.AddSingleton<ApproverEntries>();
        services.AddSingleton<RepositoryPermissions>();
        services.AddSingleton<GitHubConversation>();
        services.AddSingleton<BotIdentity>();
        services.AddSingleton<SignatureRequirement>();
        services.AddSingleton<GitDataCommits>();
        services.AddSingleton<BranchRulesReader>();
        return services;
    }
}
