using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Jobs;
using Atom.Bot.Supervisor;
using Atom.Bot.Tasks;
using Hangfire;
using Hangfire.InMemory;
using Hangfire.States;

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

    /// <summary>
    /// An upgrade is "deploy and let recovery re-enqueue": jobs hold ids only and each area enqueues again what its
    /// store says is unfinished, so a job the previous version left in the job storage under a name this version does
    /// not know fails on its own, one in the previous version's shape still runs, and the work is done exactly once.
    /// </summary>
    [Fact]
    public async Task After_an_upgrade_recovery_finishes_the_work_whatever_jobs_the_previous_version_left()
    {
        using var github = new GitHubStub();
        var dataDir = Directory.CreateTempSubdirectory("atom-upgrade-").FullName;
        try
        {
            github.FailFirst("POST", "/repos/*/*/issues/1/comments", 503, times: 1000);
            long taskId;
            await using (var previous = await AtomTestHost.StartAsync(github, dataDir))
            {
                await previous.SendAsync("issues", Payloads.Labeled());
                await Eventually.TrueAsync(() => github.Requests("POST", "/repos/*/*/issues/1/comments").Count >= 2, "the comment attempts");
                taskId = (await previous.Tasks.ListUnfinishedAsync(CancellationToken.None)).ShouldHaveSingleItem().Id;
                await previous.StopAsync();
            }

            // The job storage as the previous version left it: a job whose processor this version no longer has, and one
            // in the previous version's shape (the concrete processor, as WorkScheduler enqueued before AddWorkItem).
            // Seeded when the upgraded service first resolves its storage, before its servers run a job.
            string? retired = null, oldShape = null;
            JobStorage? storage = null;
            github.Reset();
            await using var upgraded = await AtomTestHost.StartAsync(github, dataDir, configure: b => b.Services.AddSingleton<JobStorage>(_ =>
            {
                storage = new InMemoryStorage();
                var client = new BackgroundJobClient(storage);
                retired = client.Create<IWorkItemProcessor<RetiredWork>>(p => p.ProcessAsync(new RetiredWork(taskId), CancellationToken.None), new EnqueuedState(JobQueues.Supervisor));
                oldShape = client.Create<TaskSupervisor>(p => p.ProcessAsync(new AdvanceTask(taskId), CancellationToken.None), new EnqueuedState(JobQueues.Supervisor));
                return storage;
            }));

            await Eventually.TrueAsync(() => github.Comments(1).Count == 1, "the acknowledgement after the upgrade");

            // The old shape is performed by this version's TaskSupervisor (what it then meets, the stub's missing remote,
            // is the task's business); the retired one fails because no processor exists for it.
            await Eventually.TrueAsync(() => Performed(storage!, oldShape!) && !Errors(storage!, oldShape!).Any(e => e.Contains("abstract", StringComparison.Ordinal)), "the previous version's job ran");
            await Eventually.TrueAsync(() => Errors(storage!, retired!).Any(e => e.Contains("abstract", StringComparison.Ordinal)), "the retired job failed on its own");
            await Eventually.QuietPeriodAsync();
            github.Comments(1).Count.ShouldBe(1);
            (await upgraded.Tasks.GetAsync(taskId, CancellationToken.None))!.AcknowledgedAt.ShouldNotBeNull();
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static bool Performed(JobStorage storage, string jobId) =>
        storage.GetMonitoringApi().JobDetails(jobId)?.History.Any(h => h.StateName == ProcessingState.StateName) == true;

    private static IEnumerable<string> Errors(JobStorage storage, string jobId) =>
        (storage.GetMonitoringApi().JobDetails(jobId)?.History ?? [])
            .Select(h => h.Data is { } data && data.TryGetValue("ExceptionMessage", out var message) ? message : h.Reason ?? "");

    /// <summary>A work item of an earlier version that this one no longer registers.</summary>
    public sealed record RetiredWork(long TaskId) : IWorkItem;
}
