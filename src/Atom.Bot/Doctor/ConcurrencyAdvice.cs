namespace Atom.Bot.Doctor;

/// <summary>
/// Reads a concurrency probe (the latency of one request alone, then the time until all of N requests sent together are
/// answered) and recommends <c>ATOM_LLM_CONCURRENCY</c>: the most requests in flight that are all answered within
/// <see cref="Tolerance"/> times the latency of one alone. Past that point the server queues them, and more in flight only
/// makes each assignment slower without finishing more.
/// </summary>
public static class ConcurrencyAdvice
{
    public const double Tolerance = 1.5;

    /// <param name="latencies">Latency in milliseconds by requests in flight; must include 1.</param>
    public static int Recommend(IReadOnlyDictionary<int, double> latencies)
    {
        ArgumentNullException.ThrowIfNull(latencies);
        if (!latencies.TryGetValue(1, out var alone) || alone <= 0)
        {
            throw new ArgumentException("The probe must include one request alone.", nameof(latencies));
        }

        var best = 1;
        foreach (var (inFlight, latency) in latencies.OrderBy(l => l.Key))
        {
            if (latency > alone * Tolerance)
            {
                break;
            }

            best = inFlight;
        }

        return best;
    }
}
