using System.Globalization;

namespace Atom.Bot.Llm;

/// <summary>How long to wait before the next attempt: the server's <c>retry-after-ms</c> / <c>Retry-After</c>, or exponential backoff with jitter.</summary>
internal static class LlmRetryDelay
{
    /// <summary>The delay a server asked for, from <c>retry-after-ms</c> (OpenAI's) first, then <c>Retry-After</c> in seconds or as an HTTP date.</summary>
    public static TimeSpan? FromHeaders(string? retryAfterMs, string? retryAfter, DateTimeOffset now)
    {
        if (double.TryParse(retryAfterMs, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && ms >= 0 && double.IsFinite(ms))
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        if (string.IsNullOrWhiteSpace(retryAfter))
        {
            return null;
        }

        if (double.TryParse(retryAfter, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return seconds >= 0 && double.IsFinite(seconds) ? TimeSpan.FromSeconds(seconds) : null;
        }

        if (DateTimeOffset.TryParse(retryAfter, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var date))
        {
            var wait = date - now;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    /// <summary>Backoff after failed attempt number <paramref name="attempt"/> (1-based): base·2^(attempt-1), capped, then a random point in its upper half.</summary>
    public static TimeSpan Backoff(int attempt, TimeSpan baseDelay, TimeSpan max, Random random)
    {
        var exponential = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        var capped = Math.Min(exponential, max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped / 2 + (random.NextDouble() * capped / 2));
    }
}
