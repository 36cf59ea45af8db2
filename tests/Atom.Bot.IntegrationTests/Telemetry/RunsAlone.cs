namespace Atom.Bot.IntegrationTests.Telemetry;

/// <summary>
/// OpenTelemetry's exporters listen to every source and meter named <c>Atom.Bot</c> in the process, whichever service
/// made them: these tests run alone, so that what they read is their own service's.
/// </summary>
[CollectionDefinition(nameof(RunsAlone), DisableParallelization = true)]
public sealed class RunsAlone;
