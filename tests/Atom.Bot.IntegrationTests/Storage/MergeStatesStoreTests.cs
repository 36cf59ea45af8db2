using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Storage;
using Atom.Bot.Tasks;

namespace Atom.Bot.IntegrationTests.Storage;

/// <summary>
/// The states a merge waits in (<c>merge_blocked</c>, <c>merge_queued</c>) on both stores: allowed by the schema, active
/// (one active task per issue), and, on SQLite, brought in by a table rebuild that keeps every task and its history.
/// </summary>
public sealed class MergeStatesStoreTests(PostgresFixture postgres) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("atom-merge-states-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Rebuilding_the_SQLite_tasks_table_keeps_every_task_its_history_and_its_foreign_keys()
    {
        var database = new AtomDatabase(Path.Combine(_directory, "atom.db"));
        await database.MigrateAsync(Ct);
        var tasks = new TaskStore(database, TimeProvider.System);
        var blocked = await ApprovedAsync(tasks, TaskTransitions.BlockMerge, "waiting for required check `ci`");
        var events = (await tasks.EventsAsync(blocked.Id, Ct)).Count;

        // Run the rebuild again over live rows: task_events points at tasks, and its rows must find their task again.
        await database.ExecuteAsync("DELETE FROM schema_migrations WHERE version = 13", Ct);
        (await database.MigrateAsync(Ct)).ShouldBe(["0013_merge_states"]);

        var after = (await tasks.GetAsync(blocked.Id, Ct)).ShouldNotBeNull();
        after.State.ShouldBe(TaskState.MergeBlocked);
        after.StateReason.ShouldBe("waiting for required check `ci`");
        after.HeadSha.ShouldBe(blocked.HeadSha);
        (await tasks.EventsAsync(blocked.Id, Ct)).Count.ShouldBe(events);
        await using var connection = await database.OpenAsync(Ct);
        await using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA foreign_key_check";
        await using var reader = await check.ExecuteReaderAsync(Ct);
        (await reader.ReadAsync(Ct)).ShouldBeFalse("no row points at a missing task");
        (await tasks.CreateAsync(NewTask(), Ct)).Created.ShouldBeFalse("a blocked merge is an active task of its issue");
    }

    [Fact]
    public async Task A_queued_task_is_stored_and_active_on_PostgreSQL()
    {
        await using var database = AtomDatabase.ForPostgreSql(await (await postgres.ClusterAsync()).CreateDatabaseAsync());
        await database.MigrateAsync(Ct);
        var tasks = new TaskStore(database, TimeProvider.System);

        var queued = await ApprovedAsync(tasks, TaskTransitions.Enqueue, "in the merge queue");

        (await tasks.GetAsync(queued.Id, Ct))!.State.ShouldBe(TaskState.MergeQueued);
        (await tasks.CreateAsync(NewTask(), Ct)).Created.ShouldBeFalse("a queued task is an active task of its issue");
        (await tasks.TransitionAsync(queued.Id, TaskTransitions.Dequeued, "github", "removed", Ct)).ShouldBeTrue();
        (await tasks.GetAsync(queued.Id, Ct))!.State.ShouldBe(TaskState.AwaitingApproval);
    }

    private static async Task<AtomTask> ApprovedAsync(TaskStore tasks, TaskTransition last, string reason)
    {
        var task = (await tasks.CreateAsync(NewTask(), Ct)).Task;
        foreach (var move in new[] { TaskTransitions.Plan, TaskTransitions.Dispatch, TaskTransitions.Evaluate })
        {
            (await tasks.TransitionAsync(task.Id, move, "test", null, Ct)).ShouldBeTrue(move.Name);
        }

        await tasks.SetPackageAsync(task.Id, 12, new string('a', 40), "{}", DateTimeOffset.UtcNow, Ct);
        (await tasks.TransitionAsync(task.Id, TaskTransitions.Publish, "test", null, Ct)).ShouldBeTrue();
        (await tasks.TransitionAsync(task.Id, last, "atom", reason, Ct)).ShouldBeTrue(last.Name);
        return (await tasks.GetAsync(task.Id, Ct))!;
    }

    private static NewTask NewTask() => new("o/r", 4242, null, "/nonexistent/repo.git", "main", 7, "Add a greeting", "Please add a greeting.", Payloads.Labeller);
}
