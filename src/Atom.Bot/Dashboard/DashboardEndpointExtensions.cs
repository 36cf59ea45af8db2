namespace Atom.Bot.Dashboard;

public static class DashboardEndpointExtensions
{
    /// <summary>
    /// Puts <paramref name="gate"/> in front of the endpoints <paramref name="builder"/> maps: an operator page answers
    /// only a request that holds <c>ATOM_DASHBOARD_TOKEN</c>, and is 404 when no token is configured.
    /// </summary>
    public static TBuilder RequireDashboardToken<TBuilder>(this TBuilder builder, DashboardGate gate)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(gate);
        builder.Add(endpoint =>
        {
            var page = endpoint.RequestDelegate ?? throw new InvalidOperationException($"Endpoint '{endpoint.DisplayName}' has no request delegate to guard.");
            endpoint.RequestDelegate = context => gate.InvokeAsync(context, page);
        });
        return builder;
    }
}
