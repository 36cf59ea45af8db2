using System.Text.Json;
using Atom.Bot.Configuration;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Llm;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenAI.Chat;

namespace Atom.Bot.IntegrationTests.Llm;

public sealed class LlmPoolTests
{
    private static readonly LlmPoolTuning Fast = new()
    {
        RetryBaseDelay = TimeSpan.FromMilliseconds(5),
        MaxBackoff = TimeSpan.FromMilliseconds(50),
        MaxRetryAfter = TimeSpan.FromMilliseconds(50),
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Plain_text_answer_from_the_OpenAI_example_is_returned_with_finish_reason_and_usage()
    {
        using var script = new LlmScript();
        script.ReplyRaw(200, Fixture("chat-completion.default.json"));
        using var pool = Pool(script);

        var result = await pool.CompleteAsync(LlmEndpoint.Main, Ask("hello"), null, 1, Ct);

        result.IsOk.ShouldBeTrue();
        result.Value.Text.ShouldBe("Hello! How can I assist you today?");
        result.Value.ToolCalls.ShouldBeEmpty();
        result.Value.FinishReason.ShouldBe("stop");
        result.Value.TokensIn.ShouldBe(19);
        result.Value.TokensOut.ShouldBe(10);
        result.Value.Model.ShouldBe("gpt-5.4");
        var sent = script.Requests.ShouldHaveSingleItem();
        sent.Model.ShouldBe("main-model");
        sent.Roles.ShouldBe(["system", "user"]);
        sent.LastUserText.ShouldBe("hello");
        sent.ToolNames.ShouldBeEmpty();
        sent.ResponseFormatType.ShouldBeNull();
    }

    [Fact]
    public async Task Tool_calls_a_server_left_in_the_text_are_read_as_calls_of_the_offered_tools_only()
    {
        // What llama.cpp without --jinja passes on for a Qwen or Hermes model: the model's own markup, as content.
        using var script = new LlmScript();
        script.ReplyText("I'll check.\n<tool_call>\n{\"name\": \"get_current_weather\", \"arguments\": {\"location\": \"Boston, MA\"}}\n</tool_call>")
            .ReplyText("<tool_call>{\"name\": \"delete_everything\", \"arguments\": {}}</tool_call>")
            .ReplyText("<tool_call>{\"name\": \"get_current_weather\", \"arguments\": {}}</tool_call>");
        using var pool = Pool(script);

        var read = await pool.CompleteAsync(LlmEndpoint.Main, Ask("weather?"), [WeatherTool()], null, Ct);
        var unknown = await pool.CompleteAsync(LlmEndpoint.Main, Ask("weather?"), [WeatherTool()], null, Ct);
        var withoutTools = await pool.CompleteAsync(LlmEndpoint.Main, Ask("weather?"), null, null, Ct);

        read.Value!.ToolCalls.ShouldBe([new LlmToolCall("call_text_1", "get_current_weather", "{\"location\": \"Boston, MA\"}")]);
        read.Value.Text.ShouldBe("I'll check.");
        unknown.Value!.ToolCalls.ShouldBeEmpty("a tool that was not offered is never called");
        unknown.Value.Text.ShouldNotBeNull().ShouldContain("delete_everything");
        withoutTools.Value!.ToolCalls.ShouldBeEmpty("no tools offered, nothing to read");
    }

    [Fact]
    public async Task Tool_call_from_the_OpenAI_example_is_parsed()
    {
        using var script = new LlmScript();
        script.ReplyRaw(200, Fixture("chat-completion.tool-calls.json"));
        using var pool = Pool(script);

        var result = await pool.CompleteAsync(LlmEndpoint.Main, Ask("weather?"), [WeatherTool()], null, Ct);

        result.IsOk.ShouldBeTrue();
        result.Value.Text.ShouldBeNull();
        result.Value.FinishReason.ShouldBe("tool_calls");
        var call = result.Value.ToolCalls.ShouldHaveSingleItem();
        call.ShouldBe(new LlmToolCall("call_abc123", "get_current_weather", "{\n\"location\": \"Boston, MA\"\n}"));
        (result.Value.TokensIn, result.Value.TokensOut).ShouldBe((82, 17));
        script.Requests.ShouldHaveSingleItem().ToolNames.ShouldBe(["get_current_weather"]);
    }

    [Fact]
    public async Task Tool_calls_round_trip_into_the_next_request_with_their_results()
    {
        using var script = new LlmScript();
        script.ReplyToolCall("write_file", new { path = "a.txt", content = "x" }).ReplyText("done");
        using var pool = Pool(script);
        ChatTool[] tools = [WriteFileTool()];
        var conversation = Ask("write a.txt").ToList();

        var first = await pool.CompleteAsync(LlmEndpoint.Main, conversation, tools, 1, Ct);

        first.IsOk.ShouldBeTrue();
        first.Value.FinishReason.ShouldBe("tool_calls");
        var call = first.Value.ToolCalls.ShouldHaveSingleItem();
        call.Name.ShouldBe("write_file");
        call.Id.ShouldNotBeNullOrEmpty();
        using (var arguments = JsonDocument.Parse(call.ArgumentsJson))
        {
            arguments.RootElement.GetProperty("path").GetString().ShouldBe("a.txt");
            arguments.RootElement.GetProperty("content").GetString().ShouldBe("x");
        }

        conversation.Add(first.Value.ToChatMessage());
        conversation.Add(new ToolChatMessage(call.Id, "wrote a.txt"));
        var second = await pool.CompleteAsync(LlmEndpoint.Main, conversation, tools, 1, Ct);

        second.IsOk.ShouldBeTrue();
        second.Value.Text.ShouldBe("done");
        var sent = script.Requests[1];
        sent.ToolNames.ShouldBe(["write_file"]);
        sent.Roles.ShouldBe(["system", "user", "assistant", "tool"]);
        var echoed = sent.Messages[2].GetProperty("tool_calls")[0];
        echoed.GetProperty("id").GetString().ShouldBe(call.Id);
        echoed.GetProperty("function").GetProperty("name").GetString().ShouldBe("write_file");
        sent.Messages[3].GetProperty("tool_call_id").GetString().ShouldBe(call.Id);
    }

    [Fact]
    public async Task Lenient_server_answers_are_read_despite_null_finish_reason_content_parts_and_object_arguments()
    {
        using var script = new LlmScript();
        script.ReplyRaw(200, """
            {"object":"chat.completion","model":"local",
             "choices":[{"index":0,"finish_reason":null,"message":{"role":"assistant",
               "content":[{"type":"text","text":"part one, "},{"type":"text","text":"part two"}],
               "tool_calls":[{"type":"function","function":{"name":"finish","arguments":{"summary":"ok"}}}]}}]}
            """);
        using var pool = Pool(script);

        var result = await pool.CompleteAsync(LlmEndpoint.Main, Ask("go"), null, null, Ct);

        result.IsOk.ShouldBeTrue();
        result.Value.Text.ShouldBe("part one, part two");
        result.Value.FinishReason.ShouldBe("");
        result.Value.ToolCalls.ShouldHaveSingleItem().ShouldBe(new LlmToolCall("call_0", "finish", """{"summary":"ok"}"""));
        (result.Value.TokensIn, result.Value.TokensOut).ShouldBe((0, 0));
    }

    [Fact]
    public async Task Success_status_with_a_body_that_is_not_a_completion_is_an_invalid_response_value()
    {
        using var script = new LlmScript();
        script.ReplyRaw(200, "<html>gateway</html>");
        using var pool = Pool(script);

        var result = await pool.CompleteAsync(LlmEndpoint.Main, Ask("go"), null, null, Ct);

        result.IsOk.ShouldBeFalse();
        result.Error.Kind.ShouldBe(LlmErrorKind.InvalidResponse);
        script.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Rate_limited_twice_with_Retry_After_then_succeeds_with_two_retries_counted()
    {
        using var script = new LlmScript();
        script.Fail(429, retryAfter: 1)
            .Fail(429, headers: new Dictionary<string, string> { ["retry-after-ms"] = "1500" })
            .ReplyText("finally");
        var time = new AcceleratedTimeProvider(100);
        using var pool = Pool(script, time: time, tuning: Fast with { MaxRetryAfter = TimeSpan.FromSeconds(10), RequestTimeout = TimeSpan.FromMinutes(20) });

        var result = await pool.CompleteAsync(LlmEndpoint.Main, Ask("hi"), null, 5, Ct);

        result.IsOk.ShouldBeTrue();
        result.Value.Text.ShouldBe("finally");
        script.Requests.Count.ShouldBe(3);
        time.RequestedDelays.ShouldContain(TimeSpan.FromSeconds(1));
        time.RequestedDelays.ShouldContain(TimeSpan.FromMilliseconds(1500));
        var stats = pool.Snapshot();
        (stats.Completed, stats.Failed, stats.Retried).ShouldBe((1L, 0L, 2L));
        pool.UsageForTask(5).ShouldBe(pool.UsageForTask(5) with { Requests = 1, Retries = 2 });
    }

    [Fact]
    public async Task Service_unavailable_forever_fails_cleanly_after_the_bounded_attempts()
    {
        using var script = new LlmScript();
        script.Fail(503, message: "overloaded", times: 10);
        using var pool = Pool(script, tuning: Fast with { MaxAttempts = 4 });

        var result = await pool.CompleteAsync(LlmEndpoint.Main, Ask("hi"), null, null, Ct);

        result.IsOk.ShouldBeFalse();
        result.Error.Kind.ShouldBe(LlmErrorKind.Unavailable);
        result.Error.StatusCode.ShouldBe(503);
        result.Error.Attempts.ShouldBe(4);
        result.Error.Message.ShouldContain("overloaded");
        script.Requests.Count.ShouldBe(4);
        var stats = pool.Snapshot();
        (stats.Completed, stats.Failed, stats.Retried, stats.InFlight).ShouldBe((0L, 1L, 3L, 0));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(500)]
    public async Task Status_that_retrying_cannot_fix_fails_after_one_attempt(int status)
    {
        using var script = new LlmScript();
        script.Fail(status, message: "no");
        using var pool = Pool(script);

        var result = await pool.CompleteAsync(LlmEndpoint.Main, Ask("hi"), null, null, Ct);

        result.IsOk.ShouldBeFalse();
        result.Error.Kind.ShouldBe(LlmErrorKind.Rejected);
        result.Error.StatusCode.ShouldBe(status);
        result.Error.Attempts.ShouldBe(1);
        script.Requests.Count.ShouldBe(1);
        pool.Snapshot().Retried.ShouldBe(0);
    }

    [Fact]
    public async Task Six_callers_with_concurrency_two_never_put_more_than_two_requests_in_flight()
    {
        using var script = new LlmScript();
        script.ReplyText("answer", delay: TimeSpan.FromMilliseconds(100), times: 6);
        using var pool = Pool(script, concurrency: 2);

        var results = await Task.WhenAll(Enumerable.Range(0, 6)
            .Select(i => pool.CompleteAsync(LlmEndpoint.Main, Ask($"caller {i}"), null, null, Ct)));

        results.ShouldAllBe(r => r.IsOk && r.Value!.Text == "answer");
        script.Requests.Count.ShouldBe(6);
        script.MaxConcurrentRequests.ShouldBeLessThanOrEqualTo(2);
        var stats = pool.Snapshot();
        (stats.Concurrency, stats.Completed, stats.InFlight, stats.Queued).ShouldBe((2, 6L, 0, 0));
    }

    [Fact]
    public async Task Waiters_are_served_first_come_first_served()
    {
        using var script = new LlmScript();
        script.ReplyText("ok", times: 5);
        using var pool = Pool(script, concurrency: 1);
        var hold = script.HoldReplies();
        var calls = new List<Task<LlmResult<LlmReply>>> { pool.CompleteAsync(LlmEndpoint.Main, Ask("caller 0"), null, null, Ct) };
        await script.WaitForRequestsAsync(1);
        for (var i = 1; i <= 4; i++)
        {
            calls.Add(pool.CompleteAsync(LlmEndpoint.Main, Ask($"caller {i}"), null, null, Ct));
            var queued = i;
            await Eventually.TrueAsync(() => pool.Snapshot().Queued == queued, $"{queued} queued caller(s)");
        }

        hold.Dispose();
        await Task.WhenAll(calls);

        script.Requests.Select(r => r.LastUserText).ShouldBe(["caller 0", "caller 1", "caller 2", "caller 3", "caller 4"]);
        script.MaxConcurrentRequests.ShouldBe(1);
    }

    [Fact]
    public async Task Main_and_auditor_requests_share_one_pool()
    {
        using var script = new LlmScript();
        script.ReplyText("main answer").ReplyText("auditor answer");
        using var pool = Pool(script, concurrency: 1);
        var hold = script.HoldReplies();
        var main = pool.CompleteAsync(LlmEndpoint.Main, Ask("plan"), null, 1, Ct);
        await script.WaitForRequestsAsync(1);

        var auditor = pool.CompleteAsync(LlmEndpoint.Auditor, Ask("audit"), null, 1, Ct);
        await Eventually.TrueAsync(() => pool.Snapshot().Queued == 1, "the auditor request to queue");
        script.Requests.Count.ShouldBe(1);
        hold.Dispose();

        (await main).Value!.Text.ShouldBe("main answer");
        (await auditor).Value!.Text.ShouldBe("auditor answer");
        script.Requests.Select(r => r.Model).ShouldBe(["main-model", "auditor-model"]);
        pool.ModelFor(LlmEndpoint.Main).ShouldBe("main-model");
        pool.ModelFor(LlmEndpoint.Auditor).ShouldBe("auditor-model");
        pool.Snapshot().Endpoints.Select(e => (e.Endpoint, e.Model)).ShouldBe([("main", "main-model"), ("auditor", "auditor-model")]);
    }

    [Fact]
    public async Task Cancelling_a_queued_caller_removes_it_without_sending_its_request()
    {
        using var script = new LlmScript();
        script.ReplyText("first").ReplyText("third");
        using var pool = Pool(script, concurrency: 1);
        var hold = script.HoldReplies();
        var first = pool.CompleteAsync(LlmEndpoint.Main, Ask("caller 1"), null, null, Ct);
        await script.WaitForRequestsAsync(1);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var second = pool.CompleteAsync(LlmEndpoint.Main, Ask("caller 2"), null, null, cancel.Token);
        await Eventually.TrueAsync(() => pool.Snapshot().Queued == 1, "the second caller to queue");

        await cancel.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => second);
        pool.Snapshot().Queued.ShouldBe(0);
        pool.Snapshot().Cancelled.ShouldBe(1);
        hold.Dispose();
        (await first).Value!.Text.ShouldBe("first");
        (await pool.CompleteAsync(LlmEndpoint.Main, Ask("caller 3"), null, null, Ct)).Value!.Text.ShouldBe("third");
        script.Requests.Select(r => r.LastUserText).ShouldBe(["caller 1", "caller 3"]);
    }

    [Fact]
    public async Task Cancelling_a_call_in_flight_throws_and_frees_its_slot()
    {
        using var script = new LlmScript();
        script.ReplyText("never seen").ReplyText("next");
        using var pool = Pool(script, concurrency: 1);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        Task<LlmResult<LlmReply>> call;
        using (script.HoldReplies())
        {
            call = pool.CompleteAsync(LlmEndpoint.Main, Ask("slow"), null, null, cancel.Token);
            await script.WaitForRequestsAsync(1);
            await cancel.CancelAsync();
            await Should.ThrowAsync<OperationCanceledException>(() => call);
        }

        var stats = pool.Snapshot();
        (stats.InFlight, stats.Cancelled, stats.Failed).ShouldBe((0, 1L, 0L));
        (await pool.CompleteAsync(LlmEndpoint.Main, Ask("next"), null, null, Ct)).Value!.Text.ShouldBe("next");
    }

    [Fact]
    public async Task Request_timeout_is_retried_then_fails_as_timed_out()
    {
        using var script = new LlmScript();
        script.ReplyText("late", delay: TimeSpan.FromSeconds(1), times: 2);
        using var pool = Pool(script, tuning: Fast with { RequestTimeout = TimeSpan.FromMilliseconds(200), MaxAttempts = 2 });

        var result = await pool.CompleteAsync(LlmEndpoint.Main, Ask("hi"), null, 3, Ct);

        result.IsOk.ShouldBeFalse();
        result.Error.Kind.ShouldBe(LlmErrorKind.TimedOut);
        result.Error.Attempts.ShouldBe(2);
        script.Requests.Count.ShouldBe(2);
        var stats = pool.Snapshot();
        (stats.Failed, stats.Retried, stats.Cancelled).ShouldBe((1L, 1L, 0L));
        pool.UsageForTask(3).Retries.ShouldBe(1);
    }

    [Fact]
    public async Task Request_timeout_then_a_prompt_answer_succeeds()
    {
        using var script = new LlmScript();
        // A timeout far from both answers: a loaded machine must not make the prompt one late too.
        script.ReplyText("late", delay: TimeSpan.FromSeconds(6)).ReplyText("on time");
        using var pool = Pool(script, tuning: Fast with { RequestTimeout = TimeSpan.FromSeconds(1.5) });

        var result = await pool.CompleteAsync(LlmEndpoint.Main, Ask("hi"), null, null, Ct);

        result.IsOk.ShouldBeTrue();
        result.Value.Text.ShouldBe("on time");
        pool.Snapshot().Retried.ShouldBe(1);
    }

    [Fact]
    public async Task Connection_refused_is_retried_then_fails_as_unavailable()
    {
        AtomOptions options;
        using (var stopped = new LlmScript())
        {
            options = stopped.Options();
        }

        using var pool = new LlmPool(LlmOptions.From(options), Redactor.For(options), TimeProvider.System, NullLogger<LlmPool>.Instance, Fast with { MaxAttempts = 2 });

        var result = await pool.CompleteAsync(LlmEndpoint.Main, Ask("hi"), null, null, Ct);

        result.IsOk.ShouldBeFalse();
        result.Error.Kind.ShouldBe(LlmErrorKind.Unavailable);
        result.Error.Attempts.ShouldBe(2);
        pool.Snapshot().Retried.ShouldBe(1);
    }

    [Fact]
    public async Task Usage_is_accounted_per_task_and_in_total()
    {
        using var script = new LlmScript();
        script.ReplyText("a", tokensIn: 100, tokensOut: 20)
            .ReplyText("b", tokensIn: 50, tokensOut: 5)
            .ReplyToolCall("finish", new { summary = "x" }, tokensIn: 7, tokensOut: 3)
            .ReplyText("d", tokensIn: 1, tokensOut: 1);
        using var pool = Pool(script);

        await pool.CompleteAsync(LlmEndpoint.Main, Ask("1"), null, 7, Ct);
        await pool.CompleteAsync(LlmEndpoint.Auditor, Ask("2"), null, 7, Ct);
        await pool.CompleteAsync(LlmEndpoint.Main, Ask("3"), [WriteFileTool()], 8, Ct);
        await pool.CompleteAsync(LlmEndpoint.Main, Ask("4"), null, null, Ct);

        var seven = pool.UsageForTask(7);
        (seven.Requests, seven.Retries, seven.TokensIn, seven.TokensOut).ShouldBe((2, 0, 150L, 25L));
        seven.LlmTime.ShouldBeGreaterThan(TimeSpan.Zero);
        var eight = pool.UsageForTask(8);
        (eight.Requests, eight.TokensIn, eight.TokensOut).ShouldBe((1, 7L, 3L));
        pool.UsageForTask(99).ShouldBe(LlmUsage.None);
        var stats = pool.Snapshot();
        (stats.Completed, stats.TokensIn, stats.TokensOut).ShouldBe((4L, 158L, 29L));
    }

    [Fact]
    public async Task Api_key_is_sent_as_bearer_but_never_logged_and_message_contents_stay_out_of_information_logs()
    {
        const string key = "test-llm-api-key-0123456789";
        using var script = new LlmScript();
        script.Fail(429, retryAfter: 0).ReplyText("fine").Fail(401, message: $"Incorrect API key provided: {key}.");
        var logger = new CapturingLogger<LlmPool>();
        var options = script.Options(apiKey: key);
        using var pool = new LlmPool(LlmOptions.From(options), Redactor.For(options), TimeProvider.System, logger, Fast);

        var ok = await pool.CompleteAsync(LlmEndpoint.Main, Ask("SECRET-PROMPT-TEXT"), null, 1, Ct);
        var refused = await pool.CompleteAsync(LlmEndpoint.Main, Ask("SECRET-PROMPT-TEXT"), null, 1, Ct);

        ok.IsOk.ShouldBeTrue();
        script.Requests[0].Authorization.ShouldBe($"Bearer {key}");
        refused.Error!.Message.ShouldNotContain(key);
        logger.Entries.ShouldNotBeEmpty();
        logger.Entries.ShouldAllBe(e => !e.Message.Contains(key));
        logger.Entries.Where(e => e.Level >= LogLevel.Information).ShouldAllBe(e => !e.Message.Contains("SECRET-PROMPT-TEXT") && !e.Message.Contains("fine"));
    }

    private static LlmPool Pool(LlmScript script, int concurrency = 4, LlmPoolTuning? tuning = null, TimeProvider? time = null)
    {
        var options = script.Options(concurrency);
        return new(LlmOptions.From(options), Redactor.For(options), time ?? TimeProvider.System, NullLogger<LlmPool>.Instance, tuning ?? Fast);
    }

    private static ChatMessage[] Ask(string text) => [new SystemChatMessage("You are a test."), new UserChatMessage(text)];

    private static string Fixture(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "openai", "examples", name));

    private static ChatTool WriteFileTool() => ChatTool.CreateFunctionTool(
        "write_file",
        "Write a file in the worktree",
        BinaryData.FromString("""{"type":"object","properties":{"path":{"type":"string"},"content":{"type":"string"}},"required":["path","content"]}"""));

    private static ChatTool WeatherTool() => ChatTool.CreateFunctionTool(
        "get_current_weather",
        "Get the current weather",
        BinaryData.FromString("""{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}"""));
}
