using System.Diagnostics;

namespace Atom.Bot.Telemetry;

/// <summary>
/// Atom's one <see cref="ActivitySource"/> (spans for each stage of a task) and the names its spans and tags use. A
/// task's stages run as separate jobs, so their spans are separate traces linked by <see cref="TaskId"/>; within one
/// job they nest. Tags carry ids and outcomes, never secrets or file contents.
/// </summary>
public static class AtomTelemetry
{
    /// <summary>The name of both the activity source and the meter.</summary>
    public const string Name = "Atom.Bot";

    public const string TaskId = "atom.task.id";
    public const string AssignmentId = "atom.assignment.id";
    public const string DeliveryId = "atom.delivery.id";
    public const string Repository = "atom.repository";
    public const string Issue = "atom.issue";
    public const string Round = "atom.round";
    public const string Event = "atom.event";
    public const string Outcome = "atom.outcome";
    public const string Refused = "atom.tool.refused";
    public const string Sandboxed = "atom.test.sandboxed";
    public const string ExitCode = "atom.test.exit_code";
    public const string TestStatus = "atom.test.status";
    public const string Endpoint = "atom.llm.endpoint";
    public const string Attempt = "atom.llm.attempt";
    public const string PullRequest = "atom.pull_request";

    // OpenTelemetry's semantic conventions for generative AI clients.
    public const string GenAiOperation = "gen_ai.operation.name";
    public const string GenAiSystem = "gen_ai.system";
    public const string GenAiRequestModel = "gen_ai.request.model";
    public const string GenAiInputTokens = "gen_ai.usage.input_tokens";
    public const string GenAiOutputTokens = "gen_ai.usage.output_tokens";
    public const string GenAiFinishReasons = "gen_ai.response.finish_reasons";
    public const string GenAiToolName = "gen_ai.tool.name";
    public const string GenAiTokenType = "gen_ai.token.type";
    public const string ErrorType = "error.type";

    public static readonly ActivitySource Source = new(Name, typeof(AtomTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Starts a stage's span (null when nothing listens: then tagging costs nothing).</summary>
    public static Activity? Start(string name) => Source.StartActivity(name);

    /// <summary>Marks the span failed: <paramref name="errorType"/> is a low-cardinality class, <paramref name="description"/> an outcome, never a payload.</summary>
    public static void Fail(this Activity? activity, string errorType, string? description = null)
    {
        activity?.SetStatus(ActivityStatusCode.Error, description ?? errorType);
        activity?.SetTag(ErrorType, errorType);
    }
}
