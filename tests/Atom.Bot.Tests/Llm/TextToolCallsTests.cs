using Atom.Bot.Llm;

namespace Atom.Bot.Tests.Llm;

public sealed class TextToolCallsTests
{
    private static readonly string[] Offered = ["read_file", "write_file", "finish"];

    [Fact]
    public void Hermes_blocks_become_calls_in_order_and_the_prose_around_them_stays_text()
    {
        var reply = Read("""
            Let me look first.
            <tool_call>
            {"name": "read_file", "arguments": {"path": "src/a.cs"}}
            </tool_call>
            <tool_call>{"name": "finish", "arguments": "{\"summary\": \"done\"}"}</tool_call>
            """);

        reply.ToolCalls.ShouldBe([
            new LlmToolCall("call_text_1", "read_file", """{"path": "src/a.cs"}"""),
            new LlmToolCall("call_text_2", "finish", """{"summary": "done"}"""),
        ]);
        reply.Text.ShouldBe("Let me look first.");
    }

    [Fact]
    public void Mistral_tool_calls_and_a_bare_or_fenced_call_object_are_read()
    {
        Read("""[TOOL_CALLS] [{"name": "write_file", "arguments": {"path": "a", "content": "b"}}]""").ToolCalls.ShouldHaveSingleItem().Name.ShouldBe("write_file");
        Read("""{"name": "finish", "parameters": {"summary": "ok"}}""").ToolCalls.ShouldHaveSingleItem().ArgumentsJson.ShouldBe("""{"summary": "ok"}""");
        Read("```json\n{\"name\": \"finish\", \"arguments\": {}}\n```").ToolCalls.ShouldHaveSingleItem().Name.ShouldBe("finish");
    }

    [Theory]
    [InlineData("I would call read_file on src/a.cs next.")]
    [InlineData("""{"name": "rm_rf", "arguments": {}}""")]
    [InlineData("""<tool_call>{"name": "read_file", "arguments": {"path": "a"}}</tool_call><tool_call>{"name": "shell", "arguments": {}}</tool_call>""")]
    [InlineData("""<tool_call>{"name": "read_file", "arguments": ["a"]}</tool_call>""")]
    [InlineData("""<tool_call>{"name": "read_file", "arguments": {"path": </tool_call>""")]
    [InlineData("""{"answer": 42}""")]
    public void Anything_that_is_not_wholly_calls_of_offered_tools_stays_text(string text)
    {
        var reply = Read(text);

        reply.ToolCalls.ShouldBeEmpty();
        reply.Text.ShouldBe(text);
    }

    [Fact]
    public void A_reply_that_has_calls_already_is_left_alone()
    {
        var reply = new LlmReply("""<tool_call>{"name": "finish", "arguments": {}}</tool_call>""", [new LlmToolCall("call_1", "read_file", "{}")], "tool_calls", 1, 1, "m");

        TextToolCalls.Read(reply, Offered).ShouldBeSameAs(reply);
    }

    private static LlmReply Read(string text) => TextToolCalls.Read(new LlmReply(text, [], "stop", 1, 1, "m"), Offered);
}
