using System.Collections.Concurrent;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>
/// Real time, but every timer fires <c>factor</c> times sooner, and every requested delay is recorded: a test can
/// check that code asked to wait one second (a Retry-After) without spending that second.
/// </summary>
public sealed class AcceleratedTimeProvider(double factor) : TimeProvider
{
    private readonly ConcurrentQueue<TimeSpan> _requested = new();

    /// <summary>Every timer's due time as the code asked for it (delays, timeouts), in order of creation.</summary>
    public IReadOnlyList<TimeSpan> RequestedDelays => [.. _requested];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        _requested.Enqueue(dueTime);
        return System.CreateTimer(callback, state, Scale(dueTime), Scale(period));
    }

    private TimeSpan Scale(TimeSpan time) =>
        time == Timeout.InfiniteTimeSpan ? time : TimeSpan.FromTicks((long)(time.Ticks / factor));
}
