namespace Atom.Bot.IntegrationTests.Support;

/// <summary>Waits for background work (Hangfire jobs) to reach a state; fails with a message rather than hanging.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Timed out waiting for: {what}");
    }

    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, timeout);

    /// <summary>Gives background work a moment to do something it must not do, then lets the test assert it did not.</summary>
    public static Task QuietPeriodAsync(TimeSpan? period = null) => Task.Delay(period ?? TimeSpan.FromMilliseconds(700));
}
