using Hangfire;

namespace Atom.Bot.Dashboard;

public static class JobsDashboardExtensions
{
    /// <summary>Hangfire's dashboard at <c>/jobs</c>, behind the dashboard gate.</summary>
    public static IEndpointRouteBuilder MapJobsDashboard(this IEndpointRouteBuilder endpoints, string? dashboardToken)
    {
        // Hangfire's own filter (local requests only by default) is replaced by the dashboard gate, which trusts no
        // client, loopback included.
        endpoints.MapHangfireDashboard("/jobs", new DashboardOptions
        {
            Authorization = [],
            DisplayStorageConnectionString = false,
        }).RequireDashboardToken(new DashboardGate(dashboardToken));
        return endpoints;
    }
}
