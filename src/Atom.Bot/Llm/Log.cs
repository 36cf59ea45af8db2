using Microsoft.Extensions.Logging;

namespace Atom.Bot.Llm;

/// <summary>The LLM area's log events (7001–7099). Never the API key, never message contents.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "LLM pool: {Concurrency} request(s) in flight at most, {Timeout} s per request, {MaxAttempts} attempt(s); main model {MainModel}, auditor model {AuditorModel}, second auditor {Auditor2Model}")]
    public static partial void PoolCreated(ILogger logger, int concurrency, double timeout, int maxAttempts, string mainModel, string auditorModel, string auditor2Model);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "LLM {Endpoint} attempt {Attempt}/{MaxAttempts} failed ({Kind}, HTTP {Status}); retrying in {DelayMilliseconds} ms")]
    public static partial void Retrying(ILogger logger, LlmEndpoint endpoint, int attempt, int maxAttempts, LlmErrorKind kind, int? status, long delayMilliseconds);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "LLM {Endpoint} request failed after {Attempts} attempt(s): {Kind}, HTTP {Status}")]
    public static partial void Failed(ILogger logger, LlmEndpoint endpoint, int attempts, LlmErrorKind kind, int? status);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Warning, Message = "LLM {Endpoint} ({Model}) refused the json_schema response format (HTTP {Status}); asking for JSON in the reply text from now on")]
    public static partial void JsonSchemaUnsupported(ILogger logger, LlmEndpoint endpoint, string model, int? status);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Debug, Message = "LLM {Endpoint} structured reply '{SchemaName}' is unusable ({Problem}); asking once more")]
    public static partial void Correcting(ILogger logger, LlmEndpoint endpoint, string schemaName, string problem);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Warning, Message = "LLM {Endpoint} structured reply '{SchemaName}' is still unusable after a corrective retry")]
    public static partial void InvalidOutput(ILogger logger, LlmEndpoint endpoint, string schemaName);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Debug, Message = "LLM {Endpoint} answered in {ElapsedMilliseconds} ms after {Attempts} attempt(s): {TokensIn} tokens in, {TokensOut} out, finish '{FinishReason}'")]
    public static partial void Completed(ILogger logger, LlmEndpoint endpoint, long elapsedMilliseconds, int attempts, int tokensIn, int tokensOut, string finishReason);

    [LoggerMessage(EventId = 7008, Level = LogLevel.Warning, Message = "The tokens of an LLM request for task {TaskId} could not be stored")]
    public static partial void UsageNotRecorded(ILogger logger, long? taskId, Exception exception);

    [LoggerMessage(EventId = 7009, Level = LogLevel.Warning, Message = "LLM {Endpoint} ({Model}) returns tool calls as text, not as tool_calls; Atom reads them from the text (start the server with tool-call parsing: llama.cpp --jinja, vLLM --enable-auto-tool-choice)")]
    public static partial void ToolCallsInText(ILogger logger, string endpoint, string model);
}
