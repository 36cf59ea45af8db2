namespace Atom.Bot.Health;

/// <summary>
/// The platform mode every part of Atom reads (the LLM pool's timeouts, concurrency and model, background work, the
/// intake of new tasks); set only by the health monitor. Normal until a reading says otherwise, and forever when no
/// <c>ATOM_HEALTH_URL</c> is configured.
/// </summary>
public sealed class PlatformMode(TimeProvider clock)
{
    private PlatformState _current = PlatformState.Initial(clock.GetUtcNow());

    public PlatformState Current => Volatile.Read(ref _current);

    public PlatformLevel Level => Current.Level;

    /// <summary>Raised after every change of level, with the new state.</summary>
    public event Action<PlatformState>? Changed;

    /// <summary>Sets the state; raises <see cref="Changed"/> when the level differs from the one in force.</summary>
    public void Set(PlatformState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var previous = Interlocked.Exchange(ref _current, state);
        if (previous.Level != state.Level)
        {
            Changed?.Invoke(state);
        }
    }
}
