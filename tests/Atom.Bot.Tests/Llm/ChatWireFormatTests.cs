using System.Text.Json;
using Atom.Bot.Llm;
using OpenAI.Chat;

namespace Atom.Bot.Tests.Llm;

public sealed class ChatWireFormatTests
{
    [Fact]
    public void BuildRequest_writes_model_messages_tools_and_response_format_in_the_OpenAI_shape()
    {
        var tool = ChatTool.CreateFunctionTool("read_file", "Read a file", BinaryData.FromString("""{"type":"object","properties":{"path":{"type":"string"}}}"""));
        var format = ChatResponseFormat.CreateJsonSchemaFormat("plan", BinaryData.FromString("""{"type":"object"}"""), jsonSchemaIsStrict: true);

        var body = ChatWireFormat.BuildRequest("m", [new SystemChatMessage("s"), new UserChatMessage("u")], [tool], format);

        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        root.GetProperty("model").GetString().ShouldBe("m");
        root.GetProperty("stream").GetBoolean().ShouldBeFalse();
        root.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("role").GetString()).ShouldBe(["system", "user"]);
        root.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString().ShouldBe("read_file");
        var schema = root.GetProperty("response_format");
        schema.GetProperty("type").GetString().ShouldBe("json_schema");
        schema.GetProperty("json_schema").GetProperty("strict").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public void BuildRequest_without_tools_or_format_omits_them()
    {
        using var json = JsonDocument.Parse(ChatWireFormat.BuildRequest("m", [new UserChatMessage("u")], [], null));

        json.RootElement.TryGetProperty("tools", out _).ShouldBeFalse();
        json.RootElement.TryGetProperty("response_format", out _).ShouldBeFalse();
    }

    [Fact]
    public void Reply_with_text_and_tool_calls_becomes_an_assistant_message_carrying_both()
    {
        var reply = new LlmReply("Let me look.", [new LlmToolCall("call_1", "read_file", """{"path":"a"}""")], "tool_calls", 1, 1, "m");

        using var json = JsonDocument.Parse(ChatWireFormat.BuildRequest("m", [new UserChatMessage("u"), reply.ToChatMessage()], null, null));

        var assistant = json.RootElement.GetProperty("messages")[1];
        assistant.GetProperty("role").GetString().ShouldBe("assistant");
        assistant.GetProperty("content").ToString().ShouldContain("Let me look.");
        var call = assistant.GetProperty("tool_calls")[0];
        call.GetProperty("id").GetString().ShouldBe("call_1");
        call.GetProperty("function").GetProperty("arguments").GetString().ShouldBe("""{"path":"a"}""");
    }

    [Fact]
    public void Reply_with_only_text_becomes_a_plain_assistant_message()
    {
        var reply = new LlmReply("done", [], "stop", 1, 1, "m");

        using var json = JsonDocument.Parse(ChatWireFormat.BuildRequest("m", [reply.ToChatMessage()], null, null));

        var assistant = json.RootElement.GetProperty("messages")[0];
        assistant.GetProperty("content").ToString().ShouldContain("done");
        assistant.TryGetProperty("tool_calls", out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData("""{"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}""", "Rate limit reached")]
    [InlineData("""{"error":"model not loaded"}""", "model not loaded")]
    [InlineData("""{"detail":"Not Found"}""", "Not Found")]
    [InlineData("<html>Bad Gateway</html>", "<html>Bad Gateway</html>")]
    [InlineData("", "(no body)")]
    public void ErrorMessage_reads_OpenAI_errors_and_common_variants(string body, string expected)
    {
        ChatWireFormat.ErrorMessage(BinaryData.FromString(body)).ShouldBe(expected);
    }

    [Theory]
    [InlineData("""{"choices":[]}""", "no choices")]
    [InlineData("""{"choices":[{"index":0}]}""", "no message")]
    [InlineData("not json", "not JSON")]
    public void ReadReply_of_a_body_that_is_not_a_completion_explains_why(string body, string expected)
    {
        ChatWireFormat.ReadReply(BinaryData.FromString(body), out var problem).ShouldBeNull();
        problem.ShouldNotBeNull().ShouldContain(expected);
    }
}
