using Atom.Bot.Configuration;

namespace Atom.Bot.Ingress;

public static class IngressServiceCollectionExtensions
{
    public static IServiceCollection AddIngress(this IServiceCollection services) => services;

    public static IEndpointRouteBuilder MapIngress(this IEndpointRouteBuilder endpoints, AtomOptions options) => endpoints;
}
