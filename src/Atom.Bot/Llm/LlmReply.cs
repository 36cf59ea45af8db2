using OpenAI.Chat;

namespace Atom.Bot.Llm;

/// <summary>The assistant message of one chat completion, with the tokens it cost.</summary>
/// <param name="Text">The message text; null when the model only called tools.</param>
/// <param name="FinishReason">As the server sent it (<c>stop</c>, <c>tool_calls</c>, <c>length</c>, ...); empty when it sent none.</param>
public sealed record LlmReply(string? Text, IReadOnlyList<LlmToolCall> ToolCalls, string FinishReason, int TokensIn, int TokensOut, string Model)
{
    /// <summary>The same message as an <see cref="AssistantChatMessage"/>, to append to the conversation before the tool results.</summary>
    public AssistantChatMessage ToChatMessage()
    {
        if (ToolCalls.Count == 0)
        {
            return new AssistantChatMessage(Text ?? "");
        }

        var message = new AssistantChatMessage(ToolCalls.Select(c =>
            ChatToolCall.CreateFunctionToolCall(c.Id, c.Name, BinaryData.FromString(c.ArgumentsJson))));
        if (!string.IsNullOrEmpty(Text))
        {
            message.Content.Add(ChatMessageContentPart.CreateTextPart(Text));
        }

        return message;
    }
}
