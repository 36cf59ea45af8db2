using OpenAI.Chat;

namespace Atom.Bot.Workers;

/// <summary>
/// Keeps a worker's conversation inside the model's context (<c>ATOM_LLM_CONTEXT_TOKENS</c>): once the conversation
/// would fill more than <see cref="HighWater"/> of it, the oldest tool results (file contents, test output: the bulk of
/// any conversation) are replaced, oldest first, by a one-line note of what they were, until it is under
/// <see cref="LowWater"/>. The newest <see cref="KeptResults"/> results are kept while that is enough (when they alone are
/// too much, they go too, down to the high-water mark); results the model has not read yet, the instructions and every
/// tool call always stay, so the conversation stays valid and the model can call a tool again for what it needs. Tokens are estimated as characters
/// / 4, the usual rule for English and code with the tokenizers of the models our users run; the next reply's
/// <c>prompt_tokens</c> would come too late to decide.
/// </summary>
public static class ContextKeeper
{
    public const double HighWater = 0.75;
    public const double LowWater = 0.5;
    public const int KeptResults = 4;

    /// <summary>The characters a token stands for, in the estimate.</summary>
    public const int CharactersPerToken = 4;

    /// <summary>
    /// Elides old tool results in place when the conversation is over the high-water mark; returns how many. Results
    /// from <paramref name="unseenFrom"/> on were added since the last request: the model has not read them yet, and they
    /// are never elided. <paramref name="fixedCharacters"/> is what every request carries besides the messages (the tool
    /// definitions, <see cref="DefinitionCharacters"/>): it fills the context too.
    /// </summary>
    public static int Keep(List<ChatMessage> messages, int contextTokens, int unseenFrom, int fixedCharacters = 0)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var budget = (long)contextTokens * CharactersPerToken;
        var size = fixedCharacters + messages.Sum(Characters);
        if (size <= budget * HighWater)
        {
            return 0;
        }

        var results = messages.Select((m, i) => (Message: m, Index: i)).Where(m => m.Message is ToolChatMessage && m.Index < unseenFrom).ToList();
        var elided = 0;

        // First the results before the newest few, down to the low-water mark; then, if the newest alone are still too
        // much, those too.
        bool Elide(IEnumerable<(ChatMessage Message, int Index)> candidates, double mark)
        {
            foreach (var (message, index) in candidates)
            {
                if (size <= budget * mark)
                {
                    return true;
                }

                var tool = (ToolChatMessage)messages[index];
                var text = Text(tool);
                if (text.StartsWith(Note, StringComparison.Ordinal))
                {
                    continue;
                }

                var replacement = new ToolChatMessage(tool.ToolCallId, $"{Note} {text.Length:N0} characters, starting \"{First(text)}\"; call the tool again if you need it]");
                messages[index] = replacement;
                size += Characters(replacement) - Characters(tool);
                elided++;
            }

            return size <= budget * mark;
        }

        var older = results.Take(Math.Max(0, results.Count - KeptResults)).ToList();
        if (!Elide(older, LowWater) && size > budget * HighWater)
        {
            Elide(results.Skip(older.Count), HighWater);
        }

        return elided;
    }

    /// <summary>The characters of the tool definitions sent with every request: names, descriptions and schemas.</summary>
    public static int DefinitionCharacters(IEnumerable<ChatTool> tools) =>
        tools.Sum(t => t.FunctionName.Length + (t.FunctionDescription?.Length ?? 0) + (t.FunctionParameters?.ToMemory().Length ?? 0));

    /// <summary>How an elided result starts: the model reads it, and the keeper never elides a note twice.</summary>
    public const string Note = "[elided to keep the conversation within the model's context:";

    private static long Characters(ChatMessage message)
    {
        long count = message.Content.Sum(p => (long)(p.Text?.Length ?? 0));
        if (message is AssistantChatMessage assistant)
        {
            count += assistant.ToolCalls.Sum(c => (long)c.FunctionName.Length + c.FunctionArguments.ToMemory().Length);
        }

        return count;
    }

    private static string Text(ToolChatMessage message) => string.Concat(message.Content.Select(p => p.Text));

    private static string First(string text)
    {
        var line = text.Split('\n', 2)[0];
        return (line.Length > 80 ? line[..80] + "…" : line).Replace("\"", "'", StringComparison.Ordinal);
    }
}
