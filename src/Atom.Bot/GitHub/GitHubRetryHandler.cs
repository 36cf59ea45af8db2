using System.Globalization;
using System.Net;

namespace Atom.Bot.GitHub;

/// <summary>
/// The one retry layer for GitHub REST calls: 5xx and secondary rate limits (403/429 with <c>Retry-After</c> or an
/// exhausted <c>x-ratelimit-remaining</c>) are retried with exponential backoff, a bounded number of times. A wait longer
/// than <see cref="GitHubRetryPolicy.MaxWait"/> is not slept through: the response goes back to the caller (and the job
/// that made it is retried later by Hangfire).
/// </summary>
public sealed class GitHubRetryHandler(GitHubRetryPolicy policy, TimeProvider clock) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        for (var attempt = 1; ; attempt++)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var wait = RetryDelay(response, attempt);
            if (wait is null || attempt >= policy.MaxAttempts)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(wait.Value, clock, cancellationToken);
        }
    }

    private TimeSpan? RetryDelay(HttpResponseMessage response, int attempt)
    {
        var status = (int)response.StatusCode;
        var backoff = TimeSpan.FromMilliseconds(policy.BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1) * (0.8 + Random.Shared.NextDouble() * 0.4));
        if (status is >= 500 and <= 599 && response.StatusCode != HttpStatusCode.NotImplemented)
        {
            return backoff;
        }

        if (response.StatusCode is not (HttpStatusCode.Forbidden or HttpStatusCode.TooManyRequests))
        {
            return null;
        }

        TimeSpan? wait = null;
        if (response.Headers.RetryAfter is { } retryAfter)
        {
            wait = retryAfter.Delta ?? (retryAfter.Date is { } date ? date - clock.GetUtcNow() : null);
        }
        else if (Header(response, "x-ratelimit-remaining") == "0"
                 && long.TryParse(Header(response, "x-ratelimit-reset"), NumberStyles.None, CultureInfo.InvariantCulture, out var reset))
        {
            wait = DateTimeOffset.FromUnixTimeSeconds(reset) - clock.GetUtcNow();
        }
        else if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            wait = backoff;
        }

        if (wait is null)
        {
            return null; // a plain 403 is a permission answer, not a rate limit
        }

        var bounded = wait.Value < TimeSpan.Zero ? TimeSpan.Zero : wait.Value;
        return bounded > policy.MaxWait ? null : bounded + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 100));
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
