namespace Atom.Bot.Llm;

/// <summary>Why an LLM request produced no usable answer.</summary>
public enum LlmErrorKind
{
    /// <summary>429, 502, 503, 504 or a connection failure, still failing after the last attempt.</summary>
    Unavailable,

    /// <summary>No answer within the request timeout, on the last attempt.</summary>
    TimedOut,

    /// <summary>The server refused the request with a status that retrying cannot fix (400, 401, 404, 500, ...).</summary>
    Rejected,

    /// <summary>A success status whose body is not a chat completion.</summary>
    InvalidResponse,

    /// <summary>Structured output that is not a JSON object or fails validation, even after one corrective retry.</summary>
    InvalidOutput,
}
