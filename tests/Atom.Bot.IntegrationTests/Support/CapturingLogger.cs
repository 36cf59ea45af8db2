using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>An <see cref="ILogger{T}"/> that keeps every formatted entry, for tests about what is (not) logged.</summary>
public sealed class CapturingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<(LogLevel Level, EventId EventId, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, EventId EventId, string Message)> Entries => [.. _entries];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        _entries.Enqueue((logLevel, eventId, formatter(state, exception) + (exception is null ? "" : " " + exception)));
    }
}
