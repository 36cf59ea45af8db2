using Atom.Bot.Approval;
using Atom.Bot.Audit;
using Atom.Bot.Configuration;
using Atom.Bot.Ingress;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Llm;
using Atom.Bot.Platform;
using Atom.Bot.Storage;
using Atom.Bot.Tasks;

namespace Atom.Bot.IntegrationTests.Storage;

/// <summary>
/// The stores on PostgreSQL, with the same query texts as on SQLite: migrations apply once however many instances
/// start together, uniqueness is a constraint, compare-and-set transitions hold, and the audit chain verifies.
/// </summary>
public sealed class PostgresStoreTests(PostgresFixture postgres) : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly string _keys = Directory.CreateTempSubdirectory("atom-pg-keys-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        Directory.Delete(_keys, recursive: true);
    }

    [Fact]
    public async Task Instances_starting_together_apply_each_migration_once()
    {
        var connection = await (await postgres.ClusterAsync()).CreateDatabaseAsync();
        var instances = Enumerable.Range(0, 3).Select(_ => Own(AtomDatabase.ForPostgreSql(connection))).ToList();

        var applied = await Task.WhenAll(instances.Select(d => d.MigrateAsync(Ct)));

        var sqliteFile = Path.Combine(_keys, "parity.db");
        var sqlite = await new AtomDatabase(sqliteFile).MigrateAsync(Ct);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        applied.SelectMany(a => a).Order().ShouldBe(sqlite.Order(), "each migration, the same as SQLite's, applied by exactly one instance");
        (await instances[0].MigrateAsync(Ct)).ShouldBeEmpty();
        (await instances[1].IsReachableAsync(Ct)).ShouldBeTrue();
    }

    [Fact]
    public async Task Deliveries_are_stored_once_and_one_active_task_per_issue_holds()
    {
        var database = await MigratedAsync();
        var deliveries = new DeliveryStore(database, TimeProvider.System);
        (await deliveries.TryAddAsync("d-1", "issues", "labeled", 1, "o/r", "{}", Ct)).ShouldBeTrue();
        (await deliveries.TryAddAsync("d-1", "issues", "labeled", 1, "o/r", "{}", Ct)).ShouldBeFalse("a replay");
        (await deliveries.ListUnprocessedAsync(Ct)).ShouldBe(["d-1"]);

        var tasks = new TaskStore(database, TimeProvider.System);
        var first = await tasks.CreateAsync(NewTask(), Ct);
        var second = await tasks.CreateAsync(NewTask(), Ct);
        first.Created.ShouldBeTrue();
        second.Created.ShouldBeFalse();
        second.Task.Id.ShouldBe(first.Task.Id);

        var moves = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => tasks.TransitionAsync(first.Task.Id, TaskTransitions.Plan, "test", null, Ct)));
        moves.Count(m => m).ShouldBe(1, "compare-and-set: one of four wins");
        (await tasks.ClaimAcknowledgementAsync(first.Task.Id, TimeSpan.FromMinutes(2), Ct)).ShouldBeTrue();
        (await tasks.ClaimAcknowledgementAsync(first.Task.Id, TimeSpan.FromMinutes(2), Ct)).ShouldBeFalse();
        (await tasks.GetAsync(first.Task.Id, Ct))!.State.ShouldBe(TaskState.Planning);
    }

    [Fact]
    public async Task Claims_of_a_live_instance_hold_and_claims_left_by_a_dead_one_expire_after_the_takeover_time()
    {
        var database = await MigratedAsync();
        var clock = new ManualClock(DateTimeOffset.Parse("2026-12-04T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var takeover = TimeSpan.FromMinutes(5);
        var task = (await new TaskStore(database, clock).CreateAsync(NewTask(), Ct)).Task;
        var assignments = new AssignmentStore(database, clock);
        var id = (await assignments.CreateRoundAsync(task.Id, 0, [new NewAssignment(1, "Code", "Do it.", null, new Scope(["src/**"], [], 20, 800), "atom/7-code-1")], Ct))[0].Id;

        var first = (await assignments.ClaimAsync(id, "one", takeover, Ct)).ShouldNotBeNull();
        (await assignments.ClaimAsync(id, "two", takeover, Ct)).ShouldBeNull("held by a live run");
        (await assignments.HeldUntilAsync(id, takeover, Ct)).ShouldBe(clock.GetUtcNow() + takeover);
        clock.Advance(TimeSpan.FromMinutes(4));
        (await assignments.HeartbeatAsync(id, first.ClaimId!, Ct)).ShouldBeTrue();
        clock.Advance(TimeSpan.FromMinutes(4));
        (await assignments.ClaimAsync(id, "two", takeover, Ct)).ShouldBeNull("its heartbeat came 4 minutes ago: still alive");
        clock.Advance(TimeSpan.FromMinutes(2));
        var second = (await assignments.ClaimAsync(id, "two", takeover, Ct)).ShouldNotBeNull("6 minutes without a heartbeat: taken over");
        second.ClaimedBy.ShouldBe("two");
        second.Attempts.ShouldBe(2);
        (await assignments.HeartbeatAsync(id, first.ClaimId!, Ct)).ShouldBeFalse("the first run lost its claim");
        (await assignments.FinishAsync(id, first.ClaimId!, AssignmentState.Done, new AssignmentResult { Outcome = AssignmentOutcome.Completed, Summary = "late" }, Ct))
            .ShouldBeFalse("a late result of the first run is void");

        await database.ExecuteAsync("UPDATE tasks SET state = 'awaiting_approval' WHERE id = $id", Ct, ("$id", task.Id));
        var approvals = new ApprovalStore(database, clock);
        (await approvals.ClaimMergeAsync(task.Id, "abc", takeover, Ct)).ShouldBeTrue();
        (await approvals.ClaimMergeAsync(task.Id, "abc", takeover, Ct)).ShouldBeFalse("another signal is merging");
        clock.Advance(TimeSpan.FromMinutes(4));
        (await approvals.ClaimMergeAsync(task.Id, "abc", takeover, Ct)).ShouldBeFalse();
        clock.Advance(TimeSpan.FromMinutes(2));
        (await approvals.ClaimMergeAsync(task.Id, "abc", takeover, Ct)).ShouldBeTrue("its instance died mid-merge");
        await approvals.ReleaseMergeAsync(task.Id, Ct);
        (await approvals.ClaimMergeAsync(task.Id, "abc", takeover, Ct)).ShouldBeTrue("given back");
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }

    [Fact]
    public async Task Audit_entries_appended_at_once_form_one_chain_that_verifies()
    {
        var database = await MigratedAsync();
        var options = SampleOptions();
        using var keys = new AuditKeys(new AuditOptions { KeyDirectory = _keys });
        using var first = new AuditLog(database, keys, Redactor.For(options), TimeProvider.System, "pg-host:1:first");
        using var second = new AuditLog(database, keys, Redactor.For(options), TimeProvider.System, "pg-host:2:second");

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? first : second).RecordAsync("test.entry", null, "test", new { i }, Ct)));

        var verification = await AuditVerifier.VerifyDatabaseAsync(database, null, Ct);
        verification.IsValid.ShouldBeTrue(verification.Break?.ToString());
        verification.Entries.ShouldBeGreaterThanOrEqualTo(20);
        verification.Instances.Select(i => i.Id).Order().ShouldBe(["pg-host:1:first", "pg-host:2:second"]);
        verification.Instances.Sum(i => i.Entries).ShouldBe(verification.Entries);
    }

    [Fact]
    public async Task Atom_db_copy_moves_a_SQLite_store_into_PostgreSQL_with_its_audit_chain_intact()
    {
        var dataDir = Directory.CreateTempSubdirectory("atom-db-copy-").FullName;
        try
        {
            var options = SampleOptions() with { DataDir = dataDir };
            var sqlite = new AtomDatabase(options.DatabasePath);
            await sqlite.MigrateAsync(Ct);
            var tasks = new TaskStore(sqlite, TimeProvider.System);
            var created = await tasks.CreateAsync(NewTask(), Ct);
            await tasks.TransitionAsync(created.Task.Id, TaskTransitions.Plan, "test", "planning", Ct);
            await new DeliveryStore(sqlite, TimeProvider.System).TryAddAsync("d-1", "issues", "labeled", 1, "o/r", "{}", Ct);
            using (var keys = new AuditKeys(AuditOptions.From(options)))
            using (var log = new AuditLog(sqlite, keys, Redactor.For(options), TimeProvider.System, "sqlite-host:7:before-copy"))
            {
                for (var i = 0; i < 5; i++)
                {
                    await log.RecordAsync("test.entry", created.Task.Id, "test", new { i }, Ct);
                }
            }

            var source = await AuditVerifier.VerifyDatabaseAsync(sqlite, null, Ct);
            source.IsValid.ShouldBeTrue();
            var target = await (await postgres.ClusterAsync()).CreateDatabaseAsync();
            var output = new StringWriter();
            var error = new StringWriter();
            (await DatabaseCommand.RunAsync(["copy", "--to", target], options, output, error, Ct)).ShouldBe(0, error.ToString());
            output.ToString().ShouldContain("intact");

            var copy = Own(AtomDatabase.ForPostgreSql(target));
            var copied = await AuditVerifier.VerifyDatabaseAsync(copy, null, Ct);
            copied.IsValid.ShouldBeTrue(copied.Break?.ToString());
            copied.Entries.ShouldBe(source.Entries);
            copied.Head.ShouldBe(source.Head, "the same chain, to the same head");
            copied.Instances.ShouldBe(source.Instances, "each entry keeps the instance that wrote it");
            copied.Instances.ShouldHaveSingleItem().Id.ShouldBe("sqlite-host:7:before-copy");
            var moved = new TaskStore(copy, TimeProvider.System);
            (await moved.GetAsync(created.Task.Id, Ct))!.State.ShouldBe(TaskState.Planning);
            (await moved.CreateAsync(NewTask() with { IssueNumber = 8 }, Ct)).Task.Id.ShouldBeGreaterThan(created.Task.Id, "identities continue after the copied ids");

            (await DatabaseCommand.RunAsync(["copy", "--to", target], options, new StringWriter(), error, Ct)).ShouldBe(1, "a database that holds data is refused");
            error.ToString().ShouldContain("already holds Atom data");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task Token_budgets_sum_the_stored_usage_alike_on_PostgreSQL_and_SQLite()
    {
        var sqlite = Own(new AtomDatabase(Path.Combine(_keys, "budgets.db")));
        await sqlite.MigrateAsync(Ct);
        foreach (var database in new[] { await MigratedAsync(), sqlite })
        {
            var now = new DateTimeOffset(2026, 12, 31, 23, 0, 0, TimeSpan.Zero);
            var tasks = new TaskStore(database, TimeProvider.System);
            var task = (await tasks.CreateAsync(NewTask(), Ct)).Task;
            var sibling = (await tasks.CreateAsync(NewTask() with { IssueNumber = 8 }, Ct)).Task;
            var elsewhere = (await tasks.CreateAsync(NewTask() with { Repository = "o/other", RepositoryId = 99 }, Ct)).Task;
            var usage = new UsageStore(database);
            await usage.RecordAsync(new(task.Id, LlmEndpoint.Main, "big", 3_000_000_000, 10, now), Ct);
            await usage.RecordAsync(new(task.Id, LlmEndpoint.Auditor, "small", 100, 20, now.AddDays(-1)), Ct);
            await usage.RecordAsync(new(sibling.Id, LlmEndpoint.Main, "big", 1_000, 1, now), Ct);
            await usage.RecordAsync(new(sibling.Id, LlmEndpoint.Main, "big", 50_000, 0, now.AddMonths(-1)), Ct);
            await usage.RecordAsync(new(elsewhere.Id, LlmEndpoint.Main, "big", 7_000, 0, now), Ct);
            await usage.RecordAsync(new(null, LlmEndpoint.Main, "big", 9_000, 0, now), Ct);
            var budget = new TokenBudget(database, TimeProvider.System);

            (await budget.TaskTokensAsync(task.Id, Ct)).ShouldBe(3_000_000_130, "past 32 bits");
            (await budget.TaskModelsAsync(task.Id, Ct)).ShouldBe([new ModelTokens("big", 3_000_000_000, 10), new ModelTokens("small", 100, 20)]);
            (await budget.MonthTokensAsync(4242, now, Ct)).ShouldBe(3_000_001_131, "this repository's tasks, this month only");
            (await budget.MonthTokensAsync(99, now, Ct)).ShouldBe(7_000);
            (await budget.MonthTokensAsync(4242, now.AddMonths(1), Ct)).ShouldBe(0, "a new month starts from nothing");
        }
    }

    private async Task<AtomDatabase> MigratedAsync()
    {
        var database = Own(AtomDatabase.ForPostgreSql(await (await postgres.ClusterAsync()).CreateDatabaseAsync()));
        await database.MigrateAsync(Ct);
        return database;
    }

    private AtomDatabase Own(AtomDatabase database)
    {
        _owned.Add(database);
        return database;
    }

    private static NewTask NewTask() => new("o/r", 4242, null, "/nonexistent/repo.git", "main", 7, "Add a greeting", "Please add a greeting.", Payloads.Labeller);

    private static AtomOptions SampleOptions() => new()
    {
        WebhookSecret = "webhook-secret-for-postgres-tests",
        GitHubApiUrl = new Uri("http://127.0.0.1/api/v3/"),
        LlmBaseUrl = new Uri("http://127.0.0.1/v1"),
        LlmModel = "m",
        LlmConcurrency = 1,
        AuditorBaseUrl = new Uri("http://127.0.0.1/v1"),
        AuditorModel = "m",
        DataDir = "/tmp",
        JobStorage = "memory",
        LlmTimeoutSeconds = 10,
        WorkerMaxSteps = 10,
        MaxAssignments = 3,
        GitAuthorName = "atom",
        GitAuthorEmail = "atom@example.com",
    };
}
