using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Atom.Bot.Configuration;
using WireMock;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>
/// A scripted OpenAI-compatible server (WireMock on 127.0.0.1, a free port) for the LLM pool, workers and the
/// supervisor. Each <c>POST …/chat/completions</c> takes the next scripted reply, in the real wire format (bodies
/// built from the OpenAI examples in <c>fixtures/openai/examples/</c>, errors as OpenAI's <c>ErrorResponse</c>).
/// <para>
/// When the queue is empty the script answers <b>500</b> with an error naming the request number, and counts it in
/// <see cref="UnscriptedRequests"/>: the pool does not retry a 500, so a test that scripted too few replies fails
/// fast and says why, instead of looping on a default answer.
/// </para>
/// </summary>
/// <example>
/// <code>
/// using var script = new LlmScript();
/// script.ReplyToolCall("write_file", new { path = "a.txt", content = "x" })
///       .Fail(429, retryAfter: 1)
///       .ReplyText("done");
/// var options = script.Options(concurrency: 2);
/// </code>
/// </example>
public sealed class LlmScript : IDisposable
{
    private const string Examples = "fixtures/openai/examples";

    private readonly WireMockServer _server;
    private readonly Lock _lock = new();
    private readonly Queue<Scripted> _replies = new();
    private readonly List<LlmScriptRequest> _requests = [];
    private TaskCompletionSource? _hold;
    private SemaphoreSlim? _capacity;
    private Func<Answer>? _whenEmpty;
    private bool _rejectJsonSchema;
    private int _inFlight;
    private int _maxInFlight;
    private int _unscripted;
    private int _strictRefusals;
    private int _nextCallId;

    public LlmScript()
    {
        _server = LoopbackWireMock.Start();
        _server
            .Given(Request.Create().WithPath(new WildcardMatcher("*/chat/completions")).UsingPost())
            .RespondWith(Response.Create().WithCallback(AnswerAsync));
        _server
            .Given(Request.Create().WithPath(new WildcardMatcher("*/models")).UsingGet())
            .RespondWith(Response.Create().WithCallback(_ =>
            {
                // OpenAI's ListModelsResponse: {object: list, data: [Model]}.
                var data = new JsonArray(Models.Select(m => (JsonNode)new JsonObject { ["id"] = m, ["object"] = "model", ["created"] = 1686935002, ["owned_by"] = "llm-script" }).ToArray());
                var response = new ResponseMessage
                {
                    StatusCode = 200,
                    BodyData = new BodyData { BodyAsString = new JsonObject { ["object"] = "list", ["data"] = data }.ToJsonString(), DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
                };
                response.AddHeader("Content-Type", "application/json");
                return response;
            }));
    }

    /// <summary>What <c>GET …/models</c> lists.</summary>
    public List<string> Models { get; } = ["main-model", "auditor-model"];

    /// <summary>
    /// Serves at most <paramref name="slots"/> requests at a time, as a GPU server does: the rest wait for a slot before
    /// their scripted delay starts, so latency grows with requests in flight beyond it.
    /// </summary>
    public LlmScript Capacity(int slots)
    {
        _capacity = new SemaphoreSlim(slots);
        return this;
    }

    /// <summary>The value for <c>ATOM_LLM_BASE_URL</c> (and <c>ATOM_AUDITOR_BASE_URL</c>): <c>http://127.0.0.1:PORT/v1</c>.</summary>
    public Uri BaseUrl => new($"{_server.Urls[0]}/v1");

    /// <summary>Every request received so far, in arrival order.</summary>
    public IReadOnlyList<LlmScriptRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>The largest number of requests the script was answering at the same moment.</summary>
    public int MaxConcurrentRequests
    {
        get
        {
            lock (_lock)
            {
                return _maxInFlight;
            }
        }
    }

    /// <summary>Requests that found the queue empty (answered 500).</summary>
    public int UnscriptedRequests
    {
        get
        {
            lock (_lock)
            {
                return _unscripted;
            }
        }
    }

    /// <summary>Requests refused with 400 because a strict schema broke OpenAI's rules (<see cref="StrictSchemaRules"/>).</summary>
    public int StrictSchemaRefusals
    {
        get
        {
            lock (_lock)
            {
                return _strictRefusals;
            }
        }
    }

    /// <summary>Scripted replies not used yet.</summary>
    public int Pending
    {
        get
        {
            lock (_lock)
            {
                return _replies.Count;
            }
        }
    }

    /// <summary>Complete options for an <see cref="Atom.Bot.Llm.LlmPool"/> against this script (models <c>main-model</c> and <c>auditor-model</c>).</summary>
    public AtomOptions Options(int concurrency = 4, int timeoutSeconds = 120, string? apiKey = null) => new()
    {
        WebhookSecret = "llm-script-webhook-secret",
        GitHubApiUrl = new Uri("http://127.0.0.1:9/"),
        LlmBaseUrl = BaseUrl,
        LlmModel = "main-model",
        LlmApiKey = apiKey,
        LlmConcurrency = concurrency,
        AuditorBaseUrl = BaseUrl,
        AuditorModel = "auditor-model",
        DataDir = Path.Combine(Path.GetTempPath(), "atom-llm-script-unused"),
        JobStorage = "memory",
        LlmTimeoutSeconds = timeoutSeconds,
        WorkerMaxSteps = 40,
        MaxAssignments = 4,
        GitAuthorName = "atom-bot",
        GitAuthorEmail = "atom-bot@users.noreply.example",
    };

    /// <summary>The given options pointed at this script (both the main and the auditor endpoint).</summary>
    public AtomOptions Apply(AtomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options with { LlmBaseUrl = BaseUrl, AuditorBaseUrl = BaseUrl };
    }

    /// <summary>A plain assistant message (<c>finish_reason: stop</c>), from the fixture <c>chat-completion.default.json</c>.</summary>
    public LlmScript ReplyText(string text, int? tokensIn = null, int? tokensOut = null, TimeSpan? delay = null, int times = 1)
    {
        var body = Fixture("chat-completion.default.json");
        var message = body["choices"]![0]!["message"]!;
        message["content"] = text;
        return Enqueue(() => Ok(body, tokensIn, tokensOut), delay, times);
    }

    /// <summary>A reply whose text is <paramref name="value"/> serialized as JSON (structured output).</summary>
    public LlmScript ReplyJson(object value, int? tokensIn = null, int? tokensOut = null, TimeSpan? delay = null) =>
        ReplyText(JsonSerializer.Serialize(value), tokensIn, tokensOut, delay);

    /// <summary>One function call (<c>finish_reason: tool_calls</c>), from the fixture <c>chat-completion.tool-calls.json</c>.</summary>
    public LlmScript ReplyToolCall(string name, object arguments, int? tokensIn = null, int? tokensOut = null, TimeSpan? delay = null) =>
        ReplyToolCalls([(name, arguments)], tokensIn, tokensOut, delay);

    /// <summary>Several function calls in one assistant message; an argument given as a string is sent verbatim (e.g. malformed JSON).</summary>
    public LlmScript ReplyToolCalls(IReadOnlyList<(string Name, object Arguments)> calls, int? tokensIn = null, int? tokensOut = null, TimeSpan? delay = null)
    {
        ArgumentNullException.ThrowIfNull(calls);
        return Enqueue(() =>
        {
            var body = Fixture("chat-completion.tool-calls.json");
            var toolCalls = new JsonArray();
            foreach (var (name, arguments) in calls)
            {
                toolCalls.Add(new JsonObject
                {
                    ["id"] = $"call_script_{Interlocked.Increment(ref _nextCallId)}",
                    ["type"] = "function",
                    ["function"] = new JsonObject
                    {
                        ["name"] = name,
                        ["arguments"] = arguments as string ?? JsonSerializer.Serialize(arguments),
                    },
                });
            }

            body["choices"]![0]!["message"]!["tool_calls"] = toolCalls;
            return Ok(body, tokensIn, tokensOut);
        }, delay, 1);
    }

    /// <summary>Any status and body, e.g. a fixture file verbatim or a malformed answer.</summary>
    public LlmScript ReplyRaw(int status, string body, IReadOnlyDictionary<string, string>? headers = null, TimeSpan? delay = null) =>
        Enqueue(() => new Answer(status, body, headers ?? new Dictionary<string, string>()), delay, 1);

    /// <summary>
    /// An OpenAI error (<c>{"error":{"message","type","param","code"}}</c>) with <paramref name="status"/>;
    /// <paramref name="retryAfter"/> adds <c>Retry-After</c> in seconds, <paramref name="headers"/> anything else
    /// (<c>retry-after-ms</c>, an HTTP-date <c>Retry-After</c>). <paramref name="times"/> queues it repeatedly.
    /// </summary>
    public LlmScript Fail(int status, int? retryAfter = null, string? message = null, int times = 1, IReadOnlyDictionary<string, string>? headers = null, TimeSpan? delay = null)
    {
        var allHeaders = new Dictionary<string, string>(headers ?? new Dictionary<string, string>());
        if (retryAfter is { } seconds)
        {
            allHeaders["Retry-After"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var (type, code) = status switch
        {
            400 => ("invalid_request_error", null),
            401 => ("invalid_request_error", "invalid_api_key"),
            429 => ("requests", "rate_limit_exceeded"),
            _ => ("server_error", (string?)null),
        };
        var body = Error(message ?? $"scripted HTTP {status}", type, null, code);
        return Enqueue(() => new Answer(status, body, allHeaders), delay, times);
    }

    /// <summary>
    /// From now on a request that finds the queue empty gets this OpenAI error (an endpoint that is down for good, e.g.
    /// 503 forever) instead of the script-exhausted 500; such requests are not counted in <see cref="UnscriptedRequests"/>.
    /// </summary>
    public LlmScript FailWhenEmpty(int status)
    {
        var body = Error($"scripted HTTP {status} (for good)", "server_error", null, null);
        lock (_lock)
        {
            _whenEmpty = () => new Answer(status, body, new Dictionary<string, string>());
        }

        return this;
    }

    /// <summary>
    /// From now on the server refuses any request with a <c>json_schema</c> response format (HTTP 400 naming
    /// <c>response_format</c>, as vLLM and llama.cpp builds without grammar support do), without using a scripted reply.
    /// </summary>
    public LlmScript RejectJsonSchema()
    {
        lock (_lock)
        {
            _rejectJsonSchema = true;
        }

        return this;
    }

    /// <summary>Holds every answer (already arrived or to come) until the returned handle is disposed.</summary>
    public IDisposable HoldReplies()
    {
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _hold = hold;
        }

        return new Release(() =>
        {
            lock (_lock)
            {
                if (_hold == hold)
                {
                    _hold = null;
                }
            }

            hold.TrySetResult();
        });
    }

    /// <summary>Waits (polling, up to 10 s) until the script has received at least <paramref name="count"/> requests.</summary>
    public Task WaitForRequestsAsync(int count) => Eventually.TrueAsync(() => Requests.Count >= count, $"{count} LLM request(s)");

    public void Dispose()
    {
        _capacity?.Dispose();
        TaskCompletionSource? hold;
        lock (_lock)
        {
            hold = _hold;
        }

        hold?.TrySetResult();
        _server.Stop();
        _server.Dispose();
    }

    private static string Error(string message, string type, string? param, string? code) =>
        new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = param, ["code"] = code },
        }.ToJsonString();

    private static JsonNode Fixture(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, Examples, name)))!;

    private static Answer Ok(JsonNode body, int? tokensIn, int? tokensOut)
    {
        var usage = body["usage"]!;
        if (tokensIn is { } i)
        {
            usage["prompt_tokens"] = i;
        }

        if (tokensOut is { } o)
        {
            usage["completion_tokens"] = o;
        }

        usage["total_tokens"] = usage["prompt_tokens"]!.GetValue<int>() + usage["completion_tokens"]!.GetValue<int>();
        return new Answer(200, body.ToJsonString(), new Dictionary<string, string>());
    }

    private LlmScript Enqueue(Func<Answer> answer, TimeSpan? delay, int times)
    {
        lock (_lock)
        {
            for (var i = 0; i < times; i++)
            {
                _replies.Enqueue(new Scripted(answer, delay ?? TimeSpan.Zero));
            }
        }

        return this;
    }

    private async Task<IResponseMessage> AnswerAsync(IRequestMessage request)
    {
        Answer answer;
        TimeSpan delay;
        Task hold;
        lock (_lock)
        {
            _inFlight++;
            _maxInFlight = Math.Max(_maxInFlight, _inFlight);
        }

        try
        {
            var body = request.Body ?? request.BodyData?.BodyAsString ?? "{}";
            var authorization = request.Headers is { } headers && headers.TryGetValue("Authorization", out var values) ? values.FirstOrDefault() : null;
            lock (_lock)
            {
                var received = new LlmScriptRequest(_requests.Count + 1, body, authorization);
                _requests.Add(received);
                if (_rejectJsonSchema && received.ResponseFormatType == "json_schema")
                {
                    answer = new Answer(400, Error("response_format of type json_schema is not supported by this server", "invalid_request_error", "response_format", null), new Dictionary<string, string>());
                    delay = TimeSpan.Zero;
                }
                else if (received.StrictSchemaViolation is { } violation)
                {
                    // What OpenAI answers to a strict schema it cannot enforce, before any model runs.
                    _strictRefusals++;
                    answer = new Answer(400, Error(violation.Message, "invalid_request_error", violation.Param, null), new Dictionary<string, string>());
                    delay = TimeSpan.Zero;
                }
                else if (_replies.TryDequeue(out var scripted))
                {
                    answer = scripted.Answer();
                    delay = scripted.Delay;
                }
                else if (_whenEmpty is { } standing)
                {
                    answer = standing();
                    delay = TimeSpan.Zero;
                }
                else
                {
                    _unscripted++;
                    answer = new Answer(500, Error($"LlmScript: no scripted reply left for request #{received.Number}", "server_error", null, "script_exhausted"), new Dictionary<string, string>());
                    delay = TimeSpan.Zero;
                }

                hold = _hold?.Task ?? Task.CompletedTask;
            }

            await hold;
            if (_capacity is { } capacity)
            {
                await capacity.WaitAsync();
            }

            try
            {
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay);
                }
            }
            finally
            {
                _capacity?.Release();
            }

            if (answer.Status == 200 && TryParse(body)?["stream"]?.GetValueKind() == JsonValueKind.True)
            {
                return Streamed(answer.Body);
            }

            var response = new ResponseMessage
            {
                StatusCode = answer.Status,
                BodyData = new BodyData { BodyAsString = answer.Body, DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
            };
            response.AddHeader("Content-Type", "application/json");
            foreach (var (name, value) in answer.Headers)
            {
                response.AddHeader(name, value);
            }

            return response;
        }
        finally
        {
            lock (_lock)
            {
                _inFlight--;
            }
        }
    }

    /// <summary>A completion as OpenAI streams it (<c>stream: true</c>): server-sent <c>chat.completion.chunk</c> events, then <c>[DONE]</c>.</summary>
    private static ResponseMessage Streamed(string completionBody)
    {
        var completion = JsonNode.Parse(completionBody)!;
        var message = completion["choices"]![0]!["message"]!;
        JsonObject Chunk(JsonObject delta, string? finishReason) => new()
        {
            ["id"] = completion["id"]?.DeepClone(),
            ["object"] = "chat.completion.chunk",
            ["created"] = completion["created"]?.DeepClone(),
            ["model"] = completion["model"]?.DeepClone(),
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["logprobs"] = null, ["finish_reason"] = finishReason }),
        };
        var events = new[]
        {
            Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "" }, null),
            Chunk(new JsonObject { ["content"] = message["content"]?.DeepClone() }, null),
            Chunk([], completion["choices"]![0]!["finish_reason"]?.GetValue<string>() ?? "stop"),
        };
        var response = new ResponseMessage
        {
            StatusCode = 200,
            BodyData = new BodyData
            {
                BodyAsString = string.Concat(events.Select(e => $"data: {e.ToJsonString()}\n\n")) + "data: [DONE]\n\n",
                DetectedBodyType = BodyType.String,
                Encoding = Encoding.UTF8,
            },
        };
        response.AddHeader("Content-Type", "text/event-stream");
        return response;
    }

    private static JsonNode? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record Scripted(Func<Answer> Answer, TimeSpan Delay);

    private sealed record Answer(int Status, string Body, IReadOnlyDictionary<string, string> Headers);

    private sealed class Release(Action release) : IDisposable
    {
        public void Dispose() => release();
    }
}
