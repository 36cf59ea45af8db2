using Atom.Bot.Llm;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Atom.Bot.Configuration;

namespace Atom.Bot.Doctor;

/// <summary>
/// What <c>atom doctor</c> asks each OpenAI-compatible endpoint: its models, a tool-calling round trip, a strict
/// <c>json_schema</c> answer, a streamed answer, and (the main endpoint) how latency grows with requests in flight,
/// from which it recommends <c>ATOM_LLM_CONCURRENCY</c>. The auditor is checked when it differs from the main endpoint,
/// the second auditor (<c>ATOM_AUDITOR2_*</c>) whenever it is set. Each probe is one small request; the concurrency probe sends
/// at most 3 + 2 + 4 + ... + <c>probeMax</c> of them.
/// </summary>
public sealed class LlmChecks(AtomOptions options, HttpClient http, int probeMax)
{
    /// <summary>How to get a model to talk to, for someone who has none running.</summary>
    public static readonly string StartAModel =
        "start an OpenAI-compatible server and point ATOM_LLM_BASE_URL and ATOM_LLM_MODEL at it, e.g. "
        + string.Join("; ", ModelServers.All.Select(m => $"{m.Name}: `{m.Start}` → {m.BaseUrl}"))
        + " (docs/backends.md)";

    public async Task<IReadOnlyList<DoctorFinding>> RunAsync(CancellationToken cancellationToken)
    {
        var findings = new List<DoctorFinding>();
        var main = new Endpoint("LLM main", options.LlmBaseUrl, options.LlmModel, "ATOM_LLM_MODEL");
        var reachable = await EndpointAsync(main, findings, cancellationToken);
        if (reachable && probeMax > 1)
        {
            findings.Add(await ConcurrencyAsync(main, cancellationToken));
        }

        if (options.AuditorBaseUrl != options.LlmBaseUrl || options.AuditorModel != options.LlmModel)
        {
            await EndpointAsync(new Endpoint("LLM auditor", options.AuditorBaseUrl, options.AuditorModel, "ATOM_AUDITOR_MODEL"), findings, cancellationToken);
        }

        if (options.Auditor2Model is { } auditor2Model)
        {
            await EndpointAsync(new Endpoint("LLM second auditor", options.Auditor2BaseUrl ?? options.LlmBaseUrl, auditor2Model, "ATOM_AUDITOR2_MODEL"), findings, cancellationToken);
        }

        return findings;
    }

    private async Task<bool> EndpointAsync(Endpoint endpoint, List<DoctorFinding> findings, CancellationToken cancellationToken)
    {
        Answer models;
        try
        {
            models = await SendAsync(HttpMethod.Get, endpoint.Url("models"), null, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            findings.Add(DoctorFinding.Fail(endpoint.Subject, $"{endpoint.BaseUrl} cannot be reached ({e.Message})", StartAModel));
            return false;
        }

        findings.Add(Models(endpoint, models));
        findings.Add(await ToolsAsync(endpoint, cancellationToken));
        findings.Add(await JsonSchemaAsync(endpoint, cancellationToken));
        findings.Add(await StreamingAsync(endpoint, cancellationToken));
        return true;
    }

    private static DoctorFinding Models(Endpoint endpoint, Answer answer)
    {
        var subject = $"{endpoint.Subject} models";
        if (answer.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            return DoctorFinding.Fail(subject, $"the server refused the key ({(int)answer.Status}: {answer.Message})", "set ATOM_LLM_API_KEY to a key this server accepts");
        }

        if (answer.Json?["data"] is not JsonArray data)
        {
            return DoctorFinding.Warn(subject, $"GET /models answered {(int)answer.Status} without a model list; the model name is not checked", null);
        }

        var names = data.Select(m => m?["id"]?.GetValue<string>()).OfType<string>().ToList();
        return names.Contains(endpoint.Model, StringComparer.Ordinal)
            ? DoctorFinding.Ok(subject, $"serves {endpoint.Model}")
            : DoctorFinding.Fail(subject, $"{endpoint.Model} is not among the served models ({string.Join(", ", names.Take(10))}{(names.Count > 10 ? ", ..." : "")})", $"set {endpoint.ModelVariable} to one of them, or load the model on the server");
    }

    private async Task<DoctorFinding> ToolsAsync(Endpoint endpoint, CancellationToken cancellationToken)
    {
        var subject = $"{endpoint.Subject} tool calling";
        var body = Request(endpoint, "Add 2 and 3 by calling the add tool. Do not answer in text.");
        body["tools"] = new JsonArray(JsonNode.Parse("""
            {"type":"function","function":{"name":"add","description":"Adds two integers.",
             "parameters":{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"}},"required":["a","b"],"additionalProperties":false}}}
            """));
        var answer = await SendAsync(HttpMethod.Post, endpoint.Url("chat/completions"), body, cancellationToken);
        if (!answer.IsSuccess)
        {
            return DoctorFinding.Fail(subject, $"a request with tools was refused ({(int)answer.Status}: {answer.Message})", "use a model and server with tool calling (llama.cpp: --jinja; vLLM: --enable-auto-tool-choice --tool-call-parser ...; Ollama: a model tagged tools)");
        }

        var message = answer.Json?["choices"]?[0]?["message"];
        if (message?["tool_calls"]?[0]?["function"] is not JsonObject call)
        {
            var text = message?["content"]?.ToString() ?? "";
            return DoctorFinding.Fail(subject, text.Contains("\"add\"", StringComparison.Ordinal) || text.Contains("<tool_call>", StringComparison.Ordinal)
                    ? "the model wrote the tool call as text instead of a tool_calls entry: the server does not parse its calls"
                    : "the model answered in text instead of calling the tool",
                "workers act only through tool calls: enable the server's tool-call parsing (llama.cpp: --jinja; vLLM: --enable-auto-tool-choice --tool-call-parser for the model), or use a model trained for tools");
        }

        var arguments = call["arguments"] is JsonValue text2 && text2.TryGetValue<string>(out var raw) ? TryParse(raw) : call["arguments"];
        return call["name"]?.GetValue<string>() == "add" && arguments?["a"]?.ToString() == "2" && arguments?["b"]?.ToString() == "3"
            ? DoctorFinding.Ok(subject, "called add(a: 2, b: 3)")
            : DoctorFinding.Warn(subject, $"called {call["name"]} with {call["arguments"]?.ToJsonString()}, not add(2, 3)", "a model this weak at tool calls will waste steps; prefer a stronger one");
    }

    private async Task<DoctorFinding> JsonSchemaAsync(Endpoint endpoint, CancellationToken cancellationToken)
    {
        var subject = $"{endpoint.Subject} strict json_schema";
        var body = Request(endpoint, "What is 2 + 3? Answer as JSON.");
        body["response_format"] = JsonNode.Parse("""
            {"type":"json_schema","json_schema":{"name":"doctor_probe","strict":true,
             "schema":{"type":"object","properties":{"sum":{"type":"integer"}},"required":["sum"],"additionalProperties":false}}}
            """);
        var answer = await SendAsync(HttpMethod.Post, endpoint.Url("chat/completions"), body, cancellationToken);
        if (!answer.IsSuccess)
        {
            return DoctorFinding.Warn(subject, $"refused ({(int)answer.Status}: {answer.Message}); Atom then asks for the JSON in the text and validates it (docs/llm.md)", null);
        }

        var content = answer.Json?["choices"]?[0]?["message"]?["content"]?.ToString();
        return TryParse(content) is JsonObject parsed && parsed["sum"] is JsonValue
            ? DoctorFinding.Ok(subject, "answers in the schema")
            : DoctorFinding.Warn(subject, "accepted but not followed (the answer is not the schema's object); Atom validates every answer and asks again", "prefer a server that enforces json_schema (vLLM, llama.cpp, OpenAI)");
    }

    private async Task<DoctorFinding> StreamingAsync(Endpoint endpoint, CancellationToken cancellationToken)
    {
        var subject = $"{endpoint.Subject} streaming";
        var body = Request(endpoint, "Say ok.");
        body["stream"] = true;
        var answer = await SendAsync(HttpMethod.Post, endpoint.Url("chat/completions"), body, cancellationToken);
        var streamed = answer.IsSuccess && answer.ContentType == "text/event-stream"
            && answer.Text.Split('\n').Any(l => l.StartsWith("data: {", StringComparison.Ordinal))
            && answer.Text.Contains("data: [DONE]", StringComparison.Ordinal);
        return streamed
            ? DoctorFinding.Ok(subject, "server-sent events")
            : DoctorFinding.Warn(subject, $"no event stream ({(int)answer.Status}, {answer.ContentType ?? "no content type"}); Atom does not stream today, so this only matters to other clients", null);
    }

    private async Task<DoctorFinding> ConcurrencyAsync(Endpoint endpoint, CancellationToken cancellationToken)
    {
        const string subject = "LLM concurrency";
        var latencies = new SortedDictionary<int, double>();
        string? stoppedBy = null;
        for (var inFlight = 1; inFlight <= probeMax; inFlight *= 2)
        {
            // One alone three times (a first request may load the model); then inFlight at once.
            var rounds = inFlight == 1 ? 3 : 1;
            var times = new List<double>();
            for (var round = 0; round < rounds && stoppedBy is null; round++)
            {
                var answers = await Task.WhenAll(Enumerable.Range(0, inFlight).Select(_ => TimedAsync(endpoint, cancellationToken)));
                if (answers.Select(a => a.Answer).FirstOrDefault(a => !a.IsSuccess) is { } failed)
                {
                    stoppedBy = $"{(int)failed.Status} at {inFlight} in flight";
                }

                times.AddRange(answers.Select(a => a.Milliseconds));
            }

            if (stoppedBy is not null)
            {
                break;
            }

            // Alone: the median of three. Together: the slowest, when all of them are answered (a server with fewer
            // slots answers some at once and queues the rest, which the median would hide).
            times.Sort();
            latencies[inFlight] = inFlight == 1 ? times[times.Count / 2] : times[^1];
        }

        if (!latencies.ContainsKey(1))
        {
            return DoctorFinding.Fail(subject, $"a single request failed ({stoppedBy})", "see the lines above");
        }

        var recommended = ConcurrencyAdvice.Recommend(latencies);
        var measured = string.Join(", ", latencies.Select(l => $"{l.Key}: {l.Value:0} ms"));
        var detail = $"latency by requests in flight {measured}{(stoppedBy is null ? "" : $" (stopped: {stoppedBy})")} → recommended ATOM_LLM_CONCURRENCY={recommended}{(recommended == latencies.Keys.Max() && stoppedBy is null ? " or more (probe more with --probe-max)" : "")}";
        return options.LlmConcurrency > recommended
            ? DoctorFinding.Warn(subject, $"{detail}; it is {options.LlmConcurrency}: requests beyond {recommended} wait at the server and time out sooner", $"set ATOM_LLM_CONCURRENCY={recommended}")
            : DoctorFinding.Ok(subject, $"{detail}; it is {options.LlmConcurrency}");
    }

    private async Task<(Answer Answer, double Milliseconds)> TimedAsync(Endpoint endpoint, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var answer = await SendAsync(HttpMethod.Post, endpoint.Url("chat/completions"), Request(endpoint, "Say ok."), cancellationToken);
        return (answer, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private static JsonObject Request(Endpoint endpoint, string prompt) => new()
    {
        ["model"] = endpoint.Model,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = prompt }),
    };

    private async Task<Answer> SendAsync(HttpMethod method, Uri url, JsonObject? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", string.IsNullOrEmpty(options.LlmApiKey) ? "atom" : options.LlmApiKey);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return new Answer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, text, Redaction.Redact(ErrorMessage(text), options.Secrets()));
    }

    private static string ErrorMessage(string text)
    {
        var message = TryParse(text)?["error"] is JsonNode error ? error["message"]?.ToString() ?? error.ToString() : text;
        return message.Length > 200 ? message[..200] : message;
    }

    private static JsonNode? TryParse(string? text)
    {
        try
        {
            return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <param name="ModelVariable">The setting that names <paramref name="Model"/>, for the advice when the server does not serve it.</param>
    private sealed record Endpoint(string Subject, Uri BaseUrl, string Model, string ModelVariable)
    {
        public Uri Url(string path) => new($"{BaseUrl.ToString().TrimEnd('/')}/{path}");
    }

    private sealed record Answer(HttpStatusCode Status, string? ContentType, string Text, string Message)
    {
        public bool IsSuccess => (int)Status is >= 200 and < 300;

        public JsonNode? Json => ContentType == "application/json" ? TryParse(Text) : null;
    }
}
