using Atom.Bot.Configuration;

namespace Atom.Bot.GitHub;

public static class GitHubServiceCollectionExtensions
{
    public static IServiceCollection AddGitHub(this IServiceCollection services, AtomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return services;
    }
}
