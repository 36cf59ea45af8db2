namespace Atom.Bot.Health;

/// <summary>How hard Atom may push the machine, as the platform health API reports it (docs/operations.md).</summary>
public enum PlatformLevel
{
    /// <summary>Everything as configured.</summary>
    Normal,

    /// <summary>Thermal level 2, or inference latency over twice its baseline: LLM timeouts doubled, LLM concurrency halved.</summary>
    Stressed,

    /// <summary>Thermal level 3: also the fallback model for workers, background work paused, new tasks wait.</summary>
    Critical,
}
