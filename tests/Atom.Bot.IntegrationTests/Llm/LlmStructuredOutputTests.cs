using System.Text.Json;
using Atom.Bot.Configuration;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Llm;
using Microsoft.Extensions.Logging.Abstractions;
using OpenAI.Chat;

namespace Atom.Bot.IntegrationTests.Llm;

public sealed class LlmStructuredOutputTests
{
    private const string VerdictSchema = """
        {"type":"object","properties":{"score":{"type":"number"},"verdict":{"type":"string","enum":["pass","needs_revision","fail"]}},
         "required":["score","verdict"],"additionalProperties":false}
        """;

    private static readonly LlmPoolTuning Fast = new()
    {
        RetryBaseDelay = TimeSpan.FromMilliseconds(5),
        MaxBackoff = TimeSpan.FromMilliseconds(50),
        MaxRetryAfter = TimeSpan.FromMilliseconds(50),
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Server_with_json_schema_gets_a_strict_schema_and_the_object_is_returned()
    {
        using var script = new LlmScript();
        script.ReplyJson(new { score = 0.9, verdict = "pass" });
        using var pool = Pool(script);

        var result = await Verdict(pool, LlmEndpoint.Auditor, "audit this diff");

        result.IsOk.ShouldBeTrue();
        result.Value.GetProperty("score").GetDouble().ShouldBe(0.9);
        var sent = script.Requests.ShouldHaveSingleItem();
        sent.Model.ShouldBe("auditor-model");
        sent.ResponseFormatType.ShouldBe("json_schema");
        var format = sent.Json.GetProperty("response_format").GetProperty("json_schema");
        format.GetProperty("name").GetString().ShouldBe("verdict");
        format.GetProperty("strict").GetBoolean().ShouldBeTrue();
        format.GetProperty("schema").GetProperty("required").EnumerateArray().Select(e => e.GetString()).ShouldBe(["score", "verdict"]);
        sent.LastUserText.ShouldBe("audit this diff");
        pool.Snapshot().Endpoints.ShouldAllBe(e => e.JsonSchema);
    }

    [Fact]
    public async Task Server_that_accepts_json_schema_but_ignores_it_still_gives_the_object_read_from_its_prose()
    {
        // Anthropic's OpenAI-compatible endpoint (and Ollama Cloud) accept response_format and do not enforce it.
        using var script = new LlmScript();
        script.ReplyText("Sure. My verdict is {\"score\": 0.7, \"verdict\": \"pass\"} as asked.");
        using var pool = Pool(script);

        var verdict = await Verdict(pool, LlmEndpoint.Main, "audit this diff");

        verdict.IsOk.ShouldBeTrue();
        verdict.Value.GetProperty("score").GetDouble().ShouldBe(0.7);
        script.Requests.ShouldHaveSingleItem().ResponseFormatType.ShouldBe("json_schema");
        pool.Snapshot().Endpoints.ShouldAllBe(e => e.JsonSchema, "nothing was refused, so the schema stays on");
    }

    [Fact]
    public async Task Server_without_json_schema_falls_back_to_json_in_the_text_and_remembers_it()
    {
        using var script = new LlmScript();
        script.RejectJsonSchema()
            .ReplyText("Here is my verdict:\n```json\n{\"score\": 0.8, \"verdict\": \"pass\"}\n```\nHope this helps.")
            .ReplyText("{\"score\": 0.4, \"verdict\": \"needs_revision\"}");
        using var pool = Pool(script);

        var first = await Verdict(pool, LlmEndpoint.Main, "audit diff one");
        var second = await Verdict(pool, LlmEndpoint.Main, "audit diff two");

        first.IsOk.ShouldBeTrue();
        first.Value.GetProperty("score").GetDouble().ShouldBe(0.8);
        second.IsOk.ShouldBeTrue();
        second.Value.GetProperty("verdict").GetString().ShouldBe("needs_revision");
        var requests = script.Requests;
        requests.Select(r => r.ResponseFormatType).ShouldBe(["json_schema", null, null]);
        var fallback = requests[1];
        fallback.Roles.ShouldBe(["system", "user"]);
        fallback.LastUserText.ShouldStartWith("audit diff one");
        fallback.LastUserText.ShouldContain("single JSON object");
        fallback.LastUserText.ShouldContain("\"needs_revision\"");
        requests[2].LastUserText.ShouldStartWith("audit diff two");
        pool.Snapshot().Endpoints.Select(e => (e.Endpoint, e.JsonSchema)).ShouldBe([("main", false), ("auditor", true)]);
    }

    [Fact]
    public async Task Garbage_output_gets_one_corrective_retry_then_an_invalid_output_value()
    {
        using var script = new LlmScript();
        script.ReplyText("I think the change is fine.").ReplyText("{\"score\": 7, \"verdict\": \"pass\"}");
        using var pool = Pool(script);

        var result = await Verdict(pool, LlmEndpoint.Auditor, "audit");

        result.IsOk.ShouldBeFalse();
        result.Error.Kind.ShouldBe(LlmErrorKind.InvalidOutput);
        result.Error.Message.ShouldContain("score must be a number between 0 and 1");
        script.Requests.Count.ShouldBe(2);
        script.UnscriptedRequests.ShouldBe(0);
        var correction = script.Requests[1];
        correction.Roles.ShouldBe(["system", "user", "assistant", "user"]);
        LlmScriptRequest.TextOf(correction.Messages[2]).ShouldBe("I think the change is fine.");
        correction.LastUserText.ShouldContain("no JSON object");
        correction.ResponseFormatType.ShouldBe("json_schema");
        var stats = pool.Snapshot();
        (stats.Corrections, stats.InvalidOutputs, stats.Completed, stats.Failed).ShouldBe((1L, 1L, 2L, 0L));
    }

    [Fact]
    public async Task Corrective_retry_that_fixes_a_truncated_object_succeeds()
    {
        using var script = new LlmScript();
        script.ReplyText("{\"score\": 0.5, \"verd").ReplyJson(new { score = 0.5, verdict = "pass" });
        using var pool = Pool(script);

        var result = await Verdict(pool, LlmEndpoint.Main, "audit");

        result.IsOk.ShouldBeTrue();
        result.Value.GetProperty("verdict").GetString().ShouldBe("pass");
        script.Requests[1].LastUserText.ShouldContain("malformed");
        (pool.Snapshot().Corrections, pool.Snapshot().InvalidOutputs).ShouldBe((1L, 0L));
    }

    [Fact]
    public async Task Structured_output_from_an_unavailable_server_is_an_unavailable_value()
    {
        using var script = new LlmScript();
        script.Fail(503, times: 2);
        using var pool = Pool(script, Fast with { MaxAttempts = 2 });

        var result = await Verdict(pool, LlmEndpoint.Main, "audit");

        result.IsOk.ShouldBeFalse();
        result.Error.Kind.ShouldBe(LlmErrorKind.Unavailable);
        script.Requests.Count.ShouldBe(2);
        pool.Snapshot().Endpoints.ShouldAllBe(e => e.JsonSchema);
    }

    [Fact]
    public async Task Structured_output_usage_counts_every_request_of_the_task()
    {
        using var script = new LlmScript();
        script.RejectJsonSchema()
            .ReplyText("nope", tokensIn: 10, tokensOut: 2)
            .ReplyJson(new { score = 1, verdict = "pass" }, tokensIn: 12, tokensOut: 6);
        using var pool = Pool(script);

        var result = await Verdict(pool, LlmEndpoint.Main, "audit", taskId: 42);

        result.IsOk.ShouldBeTrue();
        var usage = pool.UsageForTask(42);
        (usage.Requests, usage.TokensIn, usage.TokensOut).ShouldBe((3, 22L, 8L));
    }

    private static Task<LlmResult<JsonElement>> Verdict(LlmPool pool, LlmEndpoint endpoint, string question, long? taskId = null) =>
        pool.CompleteJsonAsync(endpoint, [new SystemChatMessage("You review diffs."), new UserChatMessage(question)], "verdict", VerdictSchema, ValidateVerdict, taskId, Ct);

    private static string? ValidateVerdict(JsonElement verdict)
    {
        if (!verdict.TryGetProperty("score", out var score) || score.ValueKind != JsonValueKind.Number || score.GetDouble() is < 0 or > 1)
        {
            return "score must be a number between 0 and 1";
        }

        return verdict.TryGetProperty("verdict", out var v) && v.GetString() is "pass" or "needs_revision" or "fail"
            ? null
            : "verdict must be pass, needs_revision or fail";
    }

    private static LlmPool Pool(LlmScript script, LlmPoolTuning? tuning = null)
    {
        var options = script.Options();
        return new(LlmOptions.From(options), Redactor.For(options), TimeProvider.System, NullLogger<LlmPool>.Instance, tuning ?? Fast);
    }
}
