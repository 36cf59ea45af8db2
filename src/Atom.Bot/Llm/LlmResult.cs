using System.Diagnostics.CodeAnalysis;

namespace Atom.Bot.Llm;

/// <summary>Either a value or the <see cref="LlmError"/> that explains why there is none.</summary>
public sealed record LlmResult<T>
{
    public LlmResult(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
    }

    public LlmResult(LlmError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = error;
    }

    public T? Value { get; }

    public LlmError? Error { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsOk => Error is null;
}
