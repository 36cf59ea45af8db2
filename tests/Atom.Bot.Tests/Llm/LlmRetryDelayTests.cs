using Atom.Bot.Llm;

namespace Atom.Bot.Tests.Llm;

public sealed class LlmRetryDelayTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 10, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(null, "1", 1000)]
    [InlineData(null, "0", 0)]
    [InlineData(null, " 2 ", 2000)]
    [InlineData(null, "1.5", 1500)]
    [InlineData("250", "10", 250)]
    [InlineData("garbage", "3", 3000)]
    [InlineData(null, "Mon, 10 Mar 2025 12:00:05 GMT", 5000)]
    [InlineData(null, "Mon, 10 Mar 2025 11:59:00 GMT", 0)]
    public void FromHeaders_reads_milliseconds_seconds_and_http_dates(string? retryAfterMs, string? retryAfter, int expectedMilliseconds)
    {
        LlmRetryDelay.FromHeaders(retryAfterMs, retryAfter, Now).ShouldBe(TimeSpan.FromMilliseconds(expectedMilliseconds));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(null, "")]
    [InlineData(null, "soon")]
    [InlineData(null, "-1")]
    [InlineData("-5", null)]
    public void FromHeaders_without_a_usable_value_returns_null(string? retryAfterMs, string? retryAfter)
    {
        LlmRetryDelay.FromHeaders(retryAfterMs, retryAfter, Now).ShouldBeNull();
    }

    [Theory]
    [InlineData(1, 100)]
    [InlineData(2, 200)]
    [InlineData(3, 400)]
    [InlineData(4, 800)]
    [InlineData(10, 1000)]
    public void Backoff_doubles_per_attempt_with_jitter_in_the_upper_half_and_a_cap(int attempt, int ceilingMilliseconds)
    {
        var random = new Random(attempt);
        for (var i = 0; i < 100; i++)
        {
            var delay = LlmRetryDelay.Backoff(attempt, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), random);

            delay.ShouldBeInRange(TimeSpan.FromMilliseconds(ceilingMilliseconds / 2.0), TimeSpan.FromMilliseconds(ceilingMilliseconds));
        }
    }
}
