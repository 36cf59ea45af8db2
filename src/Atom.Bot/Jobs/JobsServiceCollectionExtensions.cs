using Atom.Bot.Configuration;

namespace Atom.Bot.Jobs;

public static class JobsServiceCollectionExtensions
{
    public static IServiceCollection AddJobs(this IServiceCollection services, AtomOptions options) => services;

    public static IEndpointRouteBuilder MapJobsDashboard(this IEndpointRouteBuilder endpoints, AtomOptions options) => endpoints;
}
