using Atom.Bot.Workers;
using OpenAI.Chat;

namespace Atom.Bot.Tests.Workers;

public sealed class ContextKeeperTests
{
    [Fact]
    public void A_conversation_within_the_high_water_mark_is_left_alone()
    {
        var messages = Conversation(results: 6, charactersEach: 1_000);

        ContextKeeper.Keep(messages, contextTokens: 10_000, unseenFrom: messages.Count).ShouldBe(0);
        messages.OfType<ToolChatMessage>().ShouldAllBe(m => !Text(m).StartsWith(ContextKeeper.Note, StringComparison.Ordinal));
    }

    [Fact]
    public void The_tool_definitions_every_request_carries_count_against_the_context()
    {
        // 6 × 1,000 characters fit 10,000 tokens alone; with the workers' real tool definitions on top of 30,000
        // characters of other definitions, the same conversation is over the high-water mark.
        var definitions = ContextKeeper.DefinitionCharacters(WorkerToolbox.BuiltInDefinitions);
        var messages = Conversation(results: 6, charactersEach: 1_000);

        definitions.ShouldBeGreaterThan(2_000);
        ContextKeeper.Keep(messages, contextTokens: 10_000, unseenFrom: messages.Count, fixedCharacters: definitions).ShouldBe(0);
        ContextKeeper.Keep(messages, contextTokens: 10_000, unseenFrom: messages.Count, fixedCharacters: definitions + 30_000).ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Old_results_are_elided_oldest_first_until_under_the_low_water_mark_and_the_newest_are_kept()
    {
        // 12 results of 4,000 characters against 10,000 tokens (40,000 characters): over 75 %, so elide to under 50 %.
        var messages = Conversation(results: 12, charactersEach: 4_000);

        var elided = ContextKeeper.Keep(messages, contextTokens: 10_000, unseenFrom: messages.Count);

        var results = messages.OfType<ToolChatMessage>().ToList();
        elided.ShouldBeGreaterThan(0);
        results.Take(elided).ShouldAllBe(m => Text(m).StartsWith(ContextKeeper.Note, StringComparison.Ordinal));
        results.Skip(elided).ShouldAllBe(m => !Text(m).StartsWith(ContextKeeper.Note, StringComparison.Ordinal));
        results.TakeLast(ContextKeeper.KeptResults).ShouldAllBe(m => Text(m).Length == 4_000);
        messages.Sum(m => string.Concat(m.Content.Select(p => p.Text)).Length).ShouldBeLessThanOrEqualTo((int)(10_000 * ContextKeeper.CharactersPerToken * ContextKeeper.LowWater) + 200);
        Text(results[0]).ShouldContain("4,000 characters, starting \"line 0 of result 0\"");
        results.Select(r => r.ToolCallId).ShouldBe(Enumerable.Range(0, 12).Select(i => $"call_{i}"), "every call keeps its answer, so the conversation stays valid");
    }

    [Fact]
    public void When_the_newest_results_alone_are_too_much_all_seen_ones_go_and_notes_are_not_elided_twice()
    {
        var messages = Conversation(results: ContextKeeper.KeptResults, charactersEach: 20_000);

        ContextKeeper.Keep(messages, contextTokens: 10_000, unseenFrom: messages.Count - 1).ShouldBe(ContextKeeper.KeptResults - 1);
        Text(messages.OfType<ToolChatMessage>().Last()).Length.ShouldBe(20_000, "the model has not read the last result yet");

        var longer = Conversation(results: 10, charactersEach: 6_000);
        var first = ContextKeeper.Keep(longer, contextTokens: 10_000, unseenFrom: longer.Count);
        ContextKeeper.Keep(longer, contextTokens: 10_000, unseenFrom: longer.Count).ShouldBe(0);
        first.ShouldBe(10 - ContextKeeper.KeptResults);
    }

    [Fact]
    public void Results_the_model_has_not_read_yet_are_never_elided()
    {
        // One reply's 25 calls answered at once, after 4 results the model has read: only those 4 may go.
        var messages = Conversation(results: 4, charactersEach: 6_000);
        var unseen = messages.Count;
        messages.AddRange(Conversation(results: 25, charactersEach: 2_000).Skip(2));

        var elided = ContextKeeper.Keep(messages, contextTokens: 10_000, unseenFrom: unseen);

        elided.ShouldBe(4);
        messages.Skip(unseen).OfType<ToolChatMessage>().ShouldAllBe(m => !Text(m).StartsWith(ContextKeeper.Note, StringComparison.Ordinal));
    }

    private static List<ChatMessage> Conversation(int results, int charactersEach)
    {
        var messages = new List<ChatMessage> { new SystemChatMessage("You are a worker."), new UserChatMessage("Do the assignment.") };
        for (var i = 0; i < results; i++)
        {
            messages.Add(new AssistantChatMessage([ChatToolCall.CreateFunctionToolCall($"call_{i}", "read_file", BinaryData.FromString("""{"path":"a"}"""))]));
            var text = $"line 0 of result {i}\n";
            messages.Add(new ToolChatMessage($"call_{i}", text + new string('x', charactersEach - text.Length)));
        }

        return messages;
    }

    private static string Text(ToolChatMessage message) => string.Concat(message.Content.Select(p => p.Text));
}
