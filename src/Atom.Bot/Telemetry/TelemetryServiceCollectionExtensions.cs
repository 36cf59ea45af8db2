using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Atom.Bot.Telemetry;

public static class TelemetryServiceCollectionExtensions
{
    private static readonly string[] OtlpEndpoints =
        ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"];

    /// <summary>Prometheus scrapes, probes and the operator pages are not traced: they would outnumber the work.</summary>
    private static readonly string[] UntracedPaths = ["/metrics", "/healthz", "/readyz", "/status", "/jobs"];

    /// <summary>
    /// Atom's spans and metrics with ASP.NET Core, HttpClient and Npgsql instrumentation; exported at <c>/metrics</c>
    /// (Prometheus text, mapped by <c>Dashboard/MetricsEndpointExtensions</c>) and over OTLP when the standard <c>OTEL_EXPORTER_OTLP_*</c>
    /// variables name an endpoint (the SDK reads them and the other <c>OTEL_*</c> ones; the service name defaults to
    /// <c>atom</c>). Log records carry the trace and span ids of the stage that wrote them.
    /// </summary>
    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddMetrics();
        services.TryAddSingleton(sp => new AtomMetrics(sp.GetRequiredService<IMeterFactory>().Create(AtomTelemetry.Name)));
        services.Configure<LoggerFactoryOptions>(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);

        var telemetry = services.AddOpenTelemetry()
            // The variables come after the default, so OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES still win.
            .ConfigureResource(resource => resource.AddService("atom").AddEnvironmentVariableDetector())
            .WithTracing(tracing => tracing
                .SetSampler(new ParentBasedSampler(new BackgroundCallSampler()))
                .AddSource(AtomTelemetry.Name)
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !UntracedPaths.Any(p => context.Request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase)))
                .AddHttpClientInstrumentation()
                .AddNpgsql())
            .WithMetrics(metrics => metrics
                .AddMeter(AtomTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddPrometheusExporter());
        if (OtlpConfigured(configuration))
        {
            telemetry.UseOtlpExporter();
        }

        return services;
    }

    // Without an endpoint the exporter would send to localhost:4317 and fail every few seconds: off unless asked for.
    private static bool OtlpConfigured(IConfiguration configuration) =>
        OtlpEndpoints.Any(name => !string.IsNullOrWhiteSpace(configuration[name]));
}
