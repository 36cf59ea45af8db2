using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Storage;
using Atom.Bot.Tasks;

namespace Atom.Bot.IntegrationTests.Storage;

/// <summary>
/// Review-thread feedback in the store, on SQLite and on PostgreSQL with the same query texts: a comment is kept once,
/// every unanswered one goes to the round that starts, and a thread is answered once however many runs try.
/// </summary>
public sealed class ReviewThreadStoreTests(PostgresFixture postgres) : IAsyncDisposable
{
    private readonly List<AtomDatabase> _owned = [];
    private readonly string _directory = Directory.CreateTempSubdirectory("atom-threads-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        foreach (var database in _owned)
        {
            await database.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Comments_are_kept_once_given_to_the_next_round_and_each_thread_answered_once(string engine)
    {
        var database = await MigratedAsync(engine);
        var task = (await new TaskStore(database, TimeProvider.System).CreateAsync(
            new NewTask("o/r", 4242, null, "/nonexistent/repo.git", "main", 7, "Add a greeting", "Please.", Payloads.Labeller), Ct)).Task;
        var threads = new ReviewThreadStore(database, TimeProvider.System);

        (await threads.AddAsync(Thread(task.Id, 11, 11, line: 3), Ct)).ShouldBeTrue();
        (await threads.AddAsync(Thread(task.Id, 11, 11, line: 3), Ct)).ShouldBeFalse("a redelivery");
        (await threads.AddAsync(Thread(task.Id, 12, 11, line: null), Ct)).ShouldBeTrue("a reply in the same thread");
        (await threads.AddAsync(Thread(task.Id, 20, 20, line: 9), Ct)).ShouldBeTrue();
        (await threads.UnansweredCountAsync(task.Id, Ct)).ShouldBe(3);

        var round1 = await threads.GiveToRoundAsync(task.Id, 1, Ct);
        round1.Select(t => t.CommentId).ShouldBe([11L, 12L, 20L]);
        round1[1].Line.ShouldBeNull();
        round1[0].Line.ShouldBe(3);
        (await threads.UnansweredThreadsAsync(task.Id, 1, Ct)).ShouldBe([11L, 20L]);
        (await threads.UnansweredThreadsAsync(task.Id, 0, Ct)).ShouldBeEmpty();

        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => threads.ClaimAnswerAsync(task.Id, 11, 1, "abc", Ct)));
        claims.Count(c => c).ShouldBe(1, "one answer per thread");
        await threads.ReleaseAnswerAsync(task.Id, 20, "abc", Ct);
        (await threads.UnansweredThreadsAsync(task.Id, 1, Ct)).ShouldBe([20L]);

        // The unanswered thread is carried to the next round; the answered one stays with its round.
        (await threads.GiveToRoundAsync(task.Id, 2, Ct)).Select(t => t.CommentId).ShouldBe([20L]);
        (await threads.ListAsync(task.Id, Ct)).Select(t => (t.CommentId, t.Round, t.AnsweredSha)).ShouldBe([(11L, (int?)1, "abc"), (12L, 1, "abc"), (20L, 2, null)]);
        (await threads.UnansweredCountAsync(task.Id, Ct)).ShouldBe(1);
    }

    private static ReviewThread Thread(long taskId, long comment, long thread, int? line) => new()
    {
        TaskId = taskId,
        CommentId = comment,
        ThreadId = thread,
        PullRequest = 5,
        Path = "src/greeting.txt",
        Line = line,
        DiffHunk = "@@ -0,0 +1 @@\n+hello",
        Body = $"comment {comment}",
        Author = "alice",
        AuthorId = 42,
    };

    private async Task<AtomDatabase> MigratedAsync(string engine)
    {
        var database = engine == "postgres"
            ? AtomDatabase.ForPostgreSql(await (await postgres.ClusterAsync()).CreateDatabaseAsync())
            : new AtomDatabase(Path.Combine(_directory, "atom.db"));
        _owned.Add(database);
        await database.MigrateAsync(Ct);
        return database;
    }
}
