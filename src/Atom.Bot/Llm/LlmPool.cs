using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Atom.Bot.Configuration;
using Atom.Bot.Health;
using Atom.Bot.Telemetry;
using Microsoft.Extensions.Logging;
using OpenAI;
using OpenAI.Chat;

namespace Atom.Bot.Llm;

/// <summary>
/// Every OpenAI-compatible call of the process goes through this one pool: at most <c>ATOM_LLM_CONCURRENCY</c>
/// requests in flight (main and auditor models together), waiters served first come first served, a timeout per
/// attempt, and the only retry layer (the SDK's own retries are off) so that the metrics see every retry. Each
/// request is a span (<c>gen_ai.*</c> tags) and counts in <see cref="AtomMetrics"/>, which <see cref="Snapshot"/> reads.
/// </summary>
public sealed class LlmPool : IDisposable
{
    private static readonly HashSet<int> RetryableStatuses = [408, 429, 502, 503, 504];
    private static readonly HashSet<int> SchemaRejectionStatuses = [400, 422, 500, 501];

    private readonly TimeProvider _time;
    private readonly ILogger<LlmPool> _logger;
    private readonly LlmPoolTuning _tuning;
    private readonly TimeSpan _requestTimeout;
    private readonly Redactor _redactor;
    private readonly HttpClient _http;
    private readonly EndpointState[] _endpoints;
    private readonly FifoGate _gate;
    private readonly string? _fallbackModel;
    private readonly PlatformMode? _platform;
    private readonly ILlmUsageSink? _usageSink;
    private readonly ConcurrentDictionary<long, UsageCounter> _usage = new();
    private readonly AtomMetrics _metrics;
    private readonly bool _ownsMetrics;

    /// <param name="metrics">The service's instruments; a pool built on its own (tests, benchmarks) gets a meter of its own.</param>
    public LlmPool(LlmOptions options, Redactor redactor, TimeProvider timeProvider, ILogger<LlmPool> logger, LlmPoolTuning? tuning = null, PlatformMode? platform = null, ILlmUsageSink? usageSink = null, AtomMetrics? metrics = null)
    {
        _usageSink = usageSink;
        _ownsMetrics = metrics is null;
        _metrics = metrics ?? AtomMetrics.Standalone();
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _time = timeProvider;
        _logger = logger;
        _tuning = tuning ?? LlmPoolTuning.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(_tuning.MaxAttempts, 1);
        _requestTimeout = _tuning.RequestTimeout ?? TimeSpan.FromSeconds(options.LlmTimeoutSeconds);
        _redactor = redactor;
        _gate = new FifoGate(options.LlmConcurrency);
        _fallbackModel = options.LlmFallbackModel;
        _platform = platform;
        if (platform is not null)
        {
            // Stressed or worse: half the requests in flight (at least one); back to normal: all of them.
            platform.Changed += state => _gate.Limit = LimitFor(state.Level);
        }

        // Timeouts are ours (per attempt, on the TimeProvider), so neither HttpClient nor the pipeline may cut first.
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var transport = new HttpClientPipelineTransport(_http);
        var credential = new ApiKeyCredential(string.IsNullOrEmpty(options.LlmApiKey) ? "none" : options.LlmApiKey);
        _endpoints =
        [
            new EndpointState(LlmEndpoint.Main, options.LlmModel, Client(options.LlmModel, options.LlmBaseUrl)),
            new EndpointState(LlmEndpoint.Auditor, options.AuditorModel, Client(options.AuditorModel, options.AuditorBaseUrl)),
            .. options.Auditor2Model is { } auditor2Model
                ? [new EndpointState(LlmEndpoint.Auditor2, auditor2Model, Client(auditor2Model, options.Auditor2BaseUrl ?? options.LlmBaseUrl))]
                : Array.Empty<EndpointState>(),
        ];
        _metrics.Meter.CreateObservableGauge(AtomMetrics.LlmPoolInFlight, () => _gate.Held, "{request}", "LLM requests in flight");
        _metrics.Meter.CreateObservableGauge(AtomMetrics.LlmPoolQueued, () => _gate.Waiting, "{request}", "LLM requests waiting for a free slot");
        _metrics.Meter.CreateObservableGauge(AtomMetrics.LlmPoolLimit, () => Concurrency, "{request}", "LLM requests allowed in flight now (halved while the platform is stressed)");
        Log.PoolCreated(_logger, options.LlmConcurrency, _requestTimeout.TotalSeconds, _tuning.MaxAttempts, options.LlmModel, options.AuditorModel, options.Auditor2Model ?? "(none)");

        ChatClient Client(string model, Uri baseUrl) => new(model, credential, new OpenAIClientOptions
        {
            Endpoint = new Uri(baseUrl.ToString().TrimEnd('/')),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            // Twice the timeout: the platform's stressed mode doubles ours, and ours must cut first.
            NetworkTimeout = (2 * _requestTimeout) + TimeSpan.FromSeconds(30),
            Transport = transport,
        });
    }

    /// <summary>Requests in flight at most now: <c>ATOM_LLM_CONCURRENCY</c>, halved while the platform is stressed.</summary>
    public int Concurrency => LimitFor(_platform?.Level ?? PlatformLevel.Normal);

    /// <summary>One attempt's limit now: <c>ATOM_LLM_TIMEOUT_SECONDS</c>, doubled while the platform is stressed.</summary>
    public TimeSpan AttemptTimeout => _platform?.Level >= PlatformLevel.Stressed ? 2 * _requestTimeout : _requestTimeout;

    /// <summary>
    /// The model a request to <paramref name="endpoint"/> asks for now (shown in the certification package): the main
    /// model's place is taken by <c>ATOM_LLM_FALLBACK_MODEL</c>, when set, while the platform is critical.
    /// </summary>
    public string ModelFor(LlmEndpoint endpoint) => ModelOf(State(endpoint));

    /// <summary>Whether a second auditor (<c>ATOM_AUDITOR2_*</c>) is configured; without one, <see cref="LlmEndpoint.Auditor2"/> is not an endpoint.</summary>
    public bool HasSecondAuditor => _endpoints.Length > 2;

    private int LimitFor(PlatformLevel level) => level >= PlatformLevel.Stressed ? Math.Max(1, _gate.Capacity / 2) : _gate.Capacity;

    private string ModelOf(EndpointState state) =>
        state.Id == LlmEndpoint.Main && _fallbackModel is { } fallback && _platform?.Level == PlatformLevel.Critical ? fallback : state.Model;

    /// <summary>
    /// One chat completion. Expected failures (retries exhausted, timeouts, refusals) come back as an error value;
    /// only cancellation and bugs throw.
    /// </summary>
    public async Task<LlmResult<LlmReply>> CompleteAsync(
        LlmEndpoint endpoint,
        IReadOnlyList<ChatMessage> messages,
        IReadOnlyList<ChatTool>? tools,
        long? taskId,
        CancellationToken cancellationToken)
    {
        RequireMessages(messages);
        var state = State(endpoint);
        var result = await SendAsync(state, ChatWireFormat.BuildRequest(ModelOf(state), messages, tools, null), taskId, cancellationToken);
        if (result.IsOk && tools is { Count: > 0 } && result.Value!.ToolCalls.Count == 0
            && TextToolCalls.Read(result.Value, [.. tools.Select(t => t.FunctionName)]) is { ToolCalls.Count: > 0 } read)
        {
            if (!state.ToolCallsInText)
            {
                state.ToolCallsInText = true;
                Log.ToolCallsInText(_logger, Name(state.Id), ModelOf(state));
            }

            return new LlmResult<LlmReply>(read);
        }

        return result;
    }

    /// <summary>
    /// Structured output: one JSON object that <paramref name="validate"/> accepts (it returns an error message or
    /// null). Asks with a strict <c>json_schema</c> response format; an endpoint that refuses it is remembered and
    /// asked for the object in the reply text instead. An unusable reply gets one corrective retry, then an
    /// <see cref="LlmErrorKind.InvalidOutput"/> error.
    /// </summary>
    public async Task<LlmResult<JsonElement>> CompleteJsonAsync(
        LlmEndpoint endpoint,
        IReadOnlyList<ChatMessage> messages,
        string schemaName,
        string jsonSchema,
        Func<JsonElement, string?> validate,
        long? taskId,
        CancellationToken cancellationToken)
    {
        RequireMessages(messages);
        ArgumentException.ThrowIfNullOrEmpty(schemaName);
        ArgumentException.ThrowIfNullOrEmpty(jsonSchema);
        ArgumentNullException.ThrowIfNull(validate);
        var state = State(endpoint);
        var schemaFormat = ChatResponseFormat.CreateJsonSchemaFormat(schemaName, BinaryData.FromString(jsonSchema), jsonSchemaIsStrict: true);

        var useSchema = state.JsonSchemaSupported;
        var conversation = useSchema ? messages.ToList() : WithJsonInstruction(messages, schemaName, jsonSchema);
        var result = await SendAsync(state, Body(), taskId, cancellationToken);
        if (useSchema && result.Error is { } refusal && IsSchemaRejection(refusal))
        {
            state.JsonSchemaSupported = false;
            Log.JsonSchemaUnsupported(_logger, endpoint, state.Model, refusal.StatusCode);
            useSchema = false;
            conversation = WithJsonInstruction(messages, schemaName, jsonSchema);
            result = await SendAsync(state, Body(), taskId, cancellationToken);
        }

        for (var round = 1; ; round++)
        {
            if (!result.IsOk)
            {
                return new LlmResult<JsonElement>(result.Error);
            }

            var text = result.Value.Text;
            var value = JsonObjectExtractor.Extract(text, out var problem);
            if (value is { } json && (problem = validate(json)) is null)
            {
                return new LlmResult<JsonElement>(json);
            }

            if (round == 2)
            {
                _metrics.LlmInvalidOutputCount.Add(1, new KeyValuePair<string, object?>("endpoint", Name(endpoint)));
                Log.InvalidOutput(_logger, endpoint, schemaName);
                return new LlmResult<JsonElement>(new LlmError(
                    LlmErrorKind.InvalidOutput, $"the model's reply is not a valid {schemaName} object: {problem}", null, round));
            }

            _metrics.LlmCorrectionCount.Add(1, new KeyValuePair<string, object?>("endpoint", Name(endpoint)));
            Log.Correcting(_logger, endpoint, schemaName, problem!);
            conversation.Add(new AssistantChatMessage(string.IsNullOrEmpty(text) ? "(empty reply)" : text));
            conversation.Add(new UserChatMessage(
                $"Your reply could not be used: {problem}.\nReply again with only the corrected JSON object for {schemaName}, conforming to the schema, and nothing else."));
            result = await SendAsync(state, Body(), taskId, cancellationToken);
        }

        BinaryData Body() => ChatWireFormat.BuildRequest(ModelOf(state), conversation, null, useSchema ? schemaFormat : null);
    }

    /// <summary>The pool's numbers for <c>/status</c>, read from the same instruments <c>/metrics</c> exports.</summary>
    public LlmStatistics Snapshot()
    {
        var totals = _metrics.Totals;
        var waits = totals.Count(AtomMetrics.LlmPoolWait);
        return new LlmStatistics(
            Concurrency,
            _gate.Held,
            _gate.Waiting,
            Requests("completed"),
            Requests("failed"),
            Requests("cancelled"),
            (long)totals.Sum(AtomMetrics.LlmRetries),
            (long)totals.Sum(AtomMetrics.LlmCorrections),
            (long)totals.Sum(AtomMetrics.LlmInvalidOutputs),
            waits == 0 ? 0 : totals.Sum(AtomMetrics.LlmPoolWait) / waits * 1000,
            (long)totals.Sum(AtomMetrics.LlmTokens, new KeyValuePair<string, object?>(AtomTelemetry.GenAiTokenType, "input")),
            (long)totals.Sum(AtomMetrics.LlmTokens, new KeyValuePair<string, object?>(AtomTelemetry.GenAiTokenType, "output")),
            [.. _endpoints.Select(e => new LlmEndpointStatus(Name(e.Id), e.Model, e.JsonSchemaSupported))]);

        long Requests(string outcome) => (long)totals.Sum(AtomMetrics.LlmRequests, new KeyValuePair<string, object?>("outcome", outcome));
    }

    /// <summary>What the task's requests have cost so far (kept in memory for the life of the process).</summary>
    public LlmUsage UsageForTask(long taskId) => _usage.TryGetValue(taskId, out var counter) ? counter.ToUsage() : LlmUsage.None;

    public void Dispose()
    {
        _http.Dispose();
        if (_ownsMetrics)
        {
            _metrics.Dispose();
        }
    }

    // Kept for `atom usage` and /status; a store that cannot take it costs the record, never the answer.
    private async Task RecordUsageAsync(LlmUsageRecord record)
    {
        if (_usageSink is null)
        {
            return;
        }

        try
        {
            await _usageSink.RecordAsync(record, CancellationToken.None);
        }
        catch (Exception ex)
        {
            Log.UsageNotRecorded(_logger, record.TaskId, ex);
        }
    }

    private async Task<LlmResult<LlmReply>> SendAsync(EndpointState endpoint, BinaryData body, long? taskId, CancellationToken cancellationToken)
    {
        var usage = taskId is { } id ? _usage.GetOrAdd(id, _ => new UsageCounter()) : null;
        usage?.AddRequest();
        var model = ModelOf(endpoint);
        var endpointTag = new KeyValuePair<string, object?>("endpoint", Name(endpoint.Id));
        var modelTag = new KeyValuePair<string, object?>("model", model);
        using var activity = AtomTelemetry.Source.StartActivity(ActivityKind.Client, name: $"chat {model}", tags: [new(AtomTelemetry.GenAiOperation, "chat")]);
        activity?.SetTag(AtomTelemetry.GenAiSystem, "openai");
        activity?.SetTag(AtomTelemetry.GenAiRequestModel, model);
        activity?.SetTag(AtomTelemetry.Endpoint, Name(endpoint.Id));
        activity?.SetTag(AtomTelemetry.TaskId, taskId);
        var started = _time.GetTimestamp();
        var attempt = 0;
        try
        {
            for (attempt = 1; ; attempt++)
            {
                var waitStarted = _time.GetTimestamp();
                await _gate.WaitAsync(cancellationToken);
                _metrics.LlmPoolWaitTime.Record(_time.GetElapsedTime(waitStarted).TotalSeconds, endpointTag);

                Attempt outcome;
                var callStarted = _time.GetTimestamp();
                try
                {
                    outcome = await AttemptAsync(endpoint, body, cancellationToken);
                }
                finally
                {
                    _gate.Release();
                    usage?.AddTime(_time.GetElapsedTime(callStarted));
                }

                if (outcome.Reply is { } reply)
                {
                    Finish("completed", null);
                    _metrics.LlmTokenCount.Add(reply.TokensIn, endpointTag, modelTag, new(AtomTelemetry.GenAiTokenType, "input"));
                    _metrics.LlmTokenCount.Add(reply.TokensOut, endpointTag, modelTag, new(AtomTelemetry.GenAiTokenType, "output"));
                    activity?.SetTag(AtomTelemetry.GenAiInputTokens, reply.TokensIn);
                    activity?.SetTag(AtomTelemetry.GenAiOutputTokens, reply.TokensOut);
                    activity?.SetTag(AtomTelemetry.GenAiFinishReasons, new[] { reply.FinishReason });
                    usage?.AddTokens(reply.TokensIn, reply.TokensOut);
                    await RecordUsageAsync(new LlmUsageRecord(taskId, endpoint.Id, model, reply.TokensIn, reply.TokensOut, _time.GetUtcNow()));
                    var elapsedMilliseconds = (long)_time.GetElapsedTime(started).TotalMilliseconds;
                    Log.Completed(_logger, endpoint.Id, elapsedMilliseconds, attempt, reply.TokensIn, reply.TokensOut, reply.FinishReason);
                    return new LlmResult<LlmReply>(reply);
                }

                var error = outcome.Error! with { Attempts = attempt };
                if (!outcome.Retryable || attempt >= _tuning.MaxAttempts)
                {
                    Finish("failed", Cause(error));
                    Log.Failed(_logger, endpoint.Id, attempt, error.Kind, error.StatusCode);
                    return new LlmResult<LlmReply>(error);
                }

                // The slot is free while we wait: the retry queues again behind whoever arrived meanwhile.
                var delay = outcome.RetryAfter is { } asked
                    ? (asked < _tuning.MaxRetryAfter ? asked : _tuning.MaxRetryAfter)
                    : LlmRetryDelay.Backoff(attempt, _tuning.RetryBaseDelay, _tuning.MaxBackoff, Random.Shared);
                _metrics.LlmRetryCount.Add(1, endpointTag, new("cause", Cause(error)));
                activity?.AddEvent(new ActivityEvent("retry", tags: new ActivityTagsCollection { ["cause"] = Cause(error), [AtomTelemetry.Attempt] = attempt }));
                usage?.AddRetry();
                Log.Retrying(_logger, endpoint.Id, attempt, _tuning.MaxAttempts, error.Kind, error.StatusCode, (long)delay.TotalMilliseconds);
                await Task.Delay(delay, _time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Finish("cancelled", "cancelled");
            throw;
        }

        void Finish(string outcome, string? errorType)
        {
            var outcomeTag = new KeyValuePair<string, object?>("outcome", outcome);
            _metrics.LlmRequestCount.Add(1, endpointTag, modelTag, outcomeTag);
            _metrics.LlmRequestDuration.Record(_time.GetElapsedTime(started).TotalSeconds, endpointTag, modelTag, outcomeTag);
            activity?.SetTag(AtomTelemetry.Attempt, attempt);
            activity?.SetTag(AtomTelemetry.Outcome, outcome);
            if (errorType is not null)
            {
                activity.Fail(errorType);
            }
        }
    }

    /// <summary>A retry's or failure's cause as a metric tag: the error kind, and the status when there is one.</summary>
    private static string Cause(LlmError error) => error.StatusCode is { } status
        ? $"{KindName(error.Kind)}_{status}"
        : KindName(error.Kind);

    private static string KindName(LlmErrorKind kind) => kind switch
    {
        LlmErrorKind.Unavailable => "unavailable",
        LlmErrorKind.TimedOut => "timed_out",
        LlmErrorKind.Rejected => "rejected",
        LlmErrorKind.InvalidResponse => "invalid_response",
        LlmErrorKind.InvalidOutput => "invalid_output",
        _ => "other",
    };

    /// <summary>The endpoint's name in metrics, spans, logs and the stored usage.</summary>
    public static string Name(LlmEndpoint endpoint) => endpoint switch
    {
        LlmEndpoint.Main => "main",
        LlmEndpoint.Auditor => "auditor",
        LlmEndpoint.Auditor2 => "auditor2",
        _ => throw new ArgumentOutOfRangeException(nameof(endpoint), endpoint, null),
    };

    private async Task<Attempt> AttemptAsync(EndpointState endpoint, BinaryData body, CancellationToken cancellationToken)
    {
        var attemptTimeout = AttemptTimeout;
        using var timeout = new CancellationTokenSource(attemptTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var content = BinaryContent.Create(body);
            var result = await endpoint.Client.CompleteChatAsync(content, new RequestOptions
            {
                CancellationToken = linked.Token,
                ErrorOptions = ClientErrorBehaviors.NoThrow,
            });
            var response = result.GetRawResponse();
            if (response.Status is >= 200 and < 300)
            {
                return ChatWireFormat.ReadReply(response.Content, out var problem) is { } reply
                    ? new Attempt(reply, null, false, null)
                    : new Attempt(null, new LlmError(LlmErrorKind.InvalidResponse, problem!, response.Status, 0), false, null);
            }

            var message = $"HTTP {response.Status}: {Redact(ChatWireFormat.ErrorMessage(response.Content))}";
            if (!RetryableStatuses.Contains(response.Status))
            {
                return new Attempt(null, new LlmError(LlmErrorKind.Rejected, message, response.Status, 0), false, null);
            }

            var retryAfter = LlmRetryDelay.FromHeaders(Header(response, "retry-after-ms"), Header(response, "Retry-After"), _time.GetUtcNow());
            return new Attempt(null, new LlmError(LlmErrorKind.Unavailable, message, response.Status, 0), true, retryAfter);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var error = new LlmError(LlmErrorKind.TimedOut, $"no answer within {attemptTimeout.TotalSeconds:0.###} s", null, 0);
            return new Attempt(null, error, true, null);
        }
        catch (Exception e) when (e is ClientResultException or HttpRequestException or IOException)
        {
            var error = new LlmError(LlmErrorKind.Unavailable, $"connection failed: {Redact(e.Message)}", null, 0);
            return new Attempt(null, error, true, null);
        }
    }

    private static string? Header(PipelineResponse response, string name) =>
        response.Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>A refusal that names the response format (vLLM, llama.cpp, LM Studio and proxies word it differently).</summary>
    private static bool IsSchemaRejection(LlmError error) =>
        error.Kind == LlmErrorKind.Rejected
        && error.StatusCode is { } status && SchemaRejectionStatuses.Contains(status)
        && (error.Message.Contains("response_format", StringComparison.OrdinalIgnoreCase)
            || error.Message.Contains("json_schema", StringComparison.OrdinalIgnoreCase)
            || error.Message.Contains("schema", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The conversation with the schema and "JSON only" appended to the last user message (a second user message in
    /// a row breaks some chat templates), or added as a new user message when the last message is not the user's.
    /// </summary>
    private static List<ChatMessage> WithJsonInstruction(IReadOnlyList<ChatMessage> messages, string schemaName, string jsonSchema)
    {
        var instruction =
            $"Reply with a single JSON object and nothing else (no prose, no code fence). It is a {schemaName} and must conform to this JSON schema:\n{jsonSchema}";
        var conversation = messages.ToList();
        if (conversation[^1] is UserChatMessage last && last.Content.All(p => p.Kind == ChatMessageContentPartKind.Text))
        {
            conversation[^1] = new UserChatMessage(string.Concat(last.Content.Select(p => p.Text)) + "\n\n" + instruction);
        }
        else
        {
            conversation.Add(new UserChatMessage(instruction));
        }

        return conversation;
    }

    private static void RequireMessages(IReadOnlyList<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            throw new ArgumentException("A chat completion needs at least one message.", nameof(messages));
        }
    }

    private string Redact(string text) => _redactor.Redact(text);

    private EndpointState State(LlmEndpoint endpoint) => endpoint switch
    {
        LlmEndpoint.Main => _endpoints[0],
        LlmEndpoint.Auditor => _endpoints[1],
        LlmEndpoint.Auditor2 when HasSecondAuditor => _endpoints[2],
        LlmEndpoint.Auditor2 => throw new InvalidOperationException("No second auditor is configured (ATOM_AUDITOR2_MODEL); ask HasSecondAuditor first."),
        _ => throw new ArgumentOutOfRangeException(nameof(endpoint), endpoint, null),
    };

    private sealed record Attempt(LlmReply? Reply, LlmError? Error, bool Retryable, TimeSpan? RetryAfter);

    private sealed class EndpointState(LlmEndpoint id, string model, ChatClient client)
    {
        private volatile bool _jsonSchemaSupported = true;
        private volatile bool _toolCallsInText;

        public LlmEndpoint Id { get; } = id;

        public string Model { get; } = model;

        public ChatClient Client { get; } = client;

        public bool JsonSchemaSupported
        {
            get => _jsonSchemaSupported;
            set => _jsonSchemaSupported = value;
        }

        /// <summary>The server once passed tool calls on as text (logged once per endpoint).</summary>
        public bool ToolCallsInText
        {
            get => _toolCallsInText;
            set => _toolCallsInText = value;
        }
    }

    private sealed class UsageCounter
    {
        private int _requests;
        private int _retries;
        private long _tokensIn;
        private long _tokensOut;
        private long _ticks;

        public void AddRequest() => Interlocked.Increment(ref _requests);

        public void AddRetry() => Interlocked.Increment(ref _retries);

        public void AddTime(TimeSpan elapsed) => Interlocked.Add(ref _ticks, elapsed.Ticks);

        public void AddTokens(int tokensIn, int tokensOut)
        {
            Interlocked.Add(ref _tokensIn, tokensIn);
            Interlocked.Add(ref _tokensOut, tokensOut);
        }

        public LlmUsage ToUsage() => new(
            Volatile.Read(ref _requests),
            Volatile.Read(ref _retries),
            Interlocked.Read(ref _tokensIn),
            Interlocked.Read(ref _tokensOut),
            TimeSpan.FromTicks(Interlocked.Read(ref _ticks)));
    }
}
