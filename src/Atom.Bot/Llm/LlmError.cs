namespace Atom.Bot.Llm;

/// <summary>An expected LLM failure: what went wrong, the last HTTP status if any, and how many attempts were made.</summary>
public sealed record LlmError(LlmErrorKind Kind, string Message, int? StatusCode, int Attempts);
