namespace Atom.Bot.Llm;

/// <summary>One function call the model asked for; <see cref="ArgumentsJson"/> is the model's text, not yet validated.</summary>
public sealed record LlmToolCall(string Id, string Name, string ArgumentsJson);
