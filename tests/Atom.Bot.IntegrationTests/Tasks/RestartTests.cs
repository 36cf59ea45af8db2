using Atom.Bot.IntegrationTests.Support;

namespace Atom.Bot.IntegrationTests.Tasks;

public sealed class RestartTests
{
    [Fact]
    public async Task A_task_accepted_before_a_restart_is_acknowledged_exactly_once_after_it()
    {
        using var github = new GitHubStub();
        var dataDir = Directory.CreateTempSubdirectory("atom-restart-").FullName;
        try
        {
            // GitHub cannot take the acknowledgement while the first instance runs: the job keeps failing.
            github.FailFirst("POST", "/repos/*/*/issues/1/comments", 503, times: 1000);
            await using (var first = await AtomTestHost.StartAsync(github, dataDir))
            {
                await first.SendAsync("issues", Payloads.Labeled());
                await Eventually.TrueAsync(() => github.Requests("POST", "/repos/*/*/issues/1/comments").Count >= 4, "the comment attempts");
                (await first.Tasks.ListUnfinishedAsync(CancellationToken.None)).ShouldHaveSingleItem().AcknowledgedAt.ShouldBeNull();
                await first.StopAsync();
            }

            github.Reset();
            await using var second = await AtomTestHost.StartAsync(github, dataDir);

            await Eventually.TrueAsync(() => github.Comments(1).Count == 1, "the acknowledgement after the restart");
            await Eventually.TrueAsync(async () => (await second.Tasks.ListUnfinishedAsync(CancellationToken.None)).Single().AcknowledgedAt is not null, "acknowledged");
            await Eventually.QuietPeriodAsync();
            github.Comments(1).Count.ShouldBe(1);
            (await second.Tasks.ListRecentAsync(10, CancellationToken.None)).Count.ShouldBe(1);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task A_delivery_stored_but_not_processed_before_a_restart_is_processed_after_it()
    {
        using var github = new GitHubStub();
        var dataDir = Directory.CreateTempSubdirectory("atom-restart-").FullName;
        try
        {
            github.FailFirst("GET", "/repos/*/*/contents/*", 503, times: 1000);
            await using (var first = await AtomTestHost.StartAsync(github, dataDir))
            {
                await first.SendAsync("issues", Payloads.Labeled());
                await Eventually.TrueAsync(() => github.Requests("GET", "/repos/*/*/contents/*").Count >= 4, "the settings attempts");
                await first.StopAsync();
            }

            github.Reset();
            await using var second = await AtomTestHost.StartAsync(github, dataDir);

            await Eventually.TrueAsync(() => github.Comments(1).Count == 1, "the acknowledgement after the restart");
            (await second.Tasks.ListRecentAsync(10, CancellationToken.None)).Count.ShouldBe(1);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
