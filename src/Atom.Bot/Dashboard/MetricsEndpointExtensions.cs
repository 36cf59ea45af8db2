using OpenTelemetry.Exporter;

namespace Atom.Bot.Dashboard;

public static class MetricsEndpointExtensions
{
    /// <summary>
    /// <c>GET /metrics</c>: OpenTelemetry's Prometheus text of the service's metrics (<c>Telemetry/AddTelemetry</c>), behind
    /// the dashboard gate (bearer <c>ATOM_DASHBOARD_TOKEN</c>; 404 without a token).
    /// </summary>
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder endpoints, string? dashboardToken)
    {
        endpoints.MapPrometheusScrapingEndpoint("/metrics").RequireDashboardToken(new DashboardGate(dashboardToken));
        return endpoints;
    }
}
