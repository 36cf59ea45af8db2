using System.Net;
using Atom.Bot.Audit;
using Atom.Bot.Configuration;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Storage;
using Atom.Bot.Tasks;

namespace Atom.Bot.IntegrationTests.Storage;

/// <summary>
/// Two service instances over one PostgreSQL database, as behind one webhook URL: what reaches both is done once, and
/// what a dead instance held is finished by the other.
/// </summary>
public sealed class TwoInstancesTests(PostgresFixture postgres) : IAsyncDisposable
{
    private readonly string _firstDir = Directory.CreateTempSubdirectory("atom-one-").FullName;
    private readonly string _secondDir = Directory.CreateTempSubdirectory("atom-two-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_firstDir, recursive: true);
        Directory.Delete(_secondDir, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task One_delivery_sent_to_both_instances_and_a_second_labelling_make_one_task_and_one_comment()
    {
        var database = await (await postgres.ClusterAsync()).CreateDatabaseAsync();
        using var github = new GitHubStub();
        var environment = new Dictionary<string, string?> { ["ATOM_DATABASE"] = database, ["ATOM_JOB_STORAGE"] = "memory" };
        await using var first = await AtomTestHost.StartAsync(github, _firstDir, environment);
        MountKeysOf(_firstDir, _secondDir);
        await using var second = await AtomTestHost.StartAsync(github, _secondDir, environment);

        var deliveryId = Guid.NewGuid().ToString();
        var sent = await Task.WhenAll(
            first.SendAsync("issues", Payloads.Labeled(), deliveryId),
            second.SendAsync("issues", Payloads.Labeled(), deliveryId));
        sent.ShouldAllBe(r => r.StatusCode == HttpStatusCode.OK);
        (await second.SendAsync("issues", Payloads.Labeled())).StatusCode.ShouldBe(HttpStatusCode.OK);

        await Eventually.TrueAsync(() => github.Comments(1).Count >= 1, "the acknowledgement");
        await Eventually.QuietPeriodAsync();
        github.Comments(1).Count.ShouldBe(1, "one acknowledgement for one task");
        (await first.Tasks.ListRecentAsync(10, Ct)).ShouldHaveSingleItem();
        (await second.Tasks.ListRecentAsync(10, Ct)).ShouldHaveSingleItem();

        var verification = await AuditVerifier.VerifyDatabaseAsync(first.Database, null, Ct);
        verification.IsValid.ShouldBeTrue(verification.Break?.ToString());

        // Each lists both, itself marked; an instance that stops leaves the list.
        await Eventually.TrueAsync(async () => Instances(await first.Client.GetStringAsync("/status", Ct)).Count == 2, "both instances on /status");
        var seenBySecond = Instances(await second.Client.GetStringAsync("/status", Ct));
        seenBySecond.Count.ShouldBe(2);
        seenBySecond.Count(i => i.GetProperty("self").GetBoolean()).ShouldBe(1);
        await second.StopAsync();
        Instances(await first.Client.GetStringAsync("/status", Ct)).ShouldHaveSingleItem().GetProperty("self").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task An_instance_killed_while_its_assignment_runs_leaves_it_to_the_other_which_finishes_it_with_one_pull_request()
    {
        var database = await (await postgres.ClusterAsync()).CreateDatabaseAsync();
        using var github = new GitHubStub();
        using var llm = new LlmScript();
        using var repository = TestRepository.Create(new Dictionary<string, string> { ["README.md"] = "# Widgets\n", ["src/app.txt"] = "hello\n" });
        github.Settings(null);
        github.BranchHead = repository.Head;

        // Two processes; jobs follow the state into PostgreSQL and are shared. An instance silent for 5 s is presumed dead.
        var environment = new Dictionary<string, string?>
        {
            ["ATOM_DATABASE"] = database,
            ["ATOM_JOB_INVISIBILITY_SECONDS"] = "5",
            ["ATOM_LLM_BASE_URL"] = llm.BaseUrl.ToString(),
            ["ATOM_LLM_MODEL"] = "scripted-model",
            ["ATOM_LLM_CONCURRENCY"] = "1",
            ["ATOM_WORKTREE_SPARES"] = "0",
        };
        await using var first = await AtomProcess.StartAsync(github, _firstDir, environment);
        MountKeysOf(_firstDir, _secondDir);
        await using var second = await AtomProcess.StartAsync(github, _secondDir, environment);

        // The plan; the worker's first request, whose answer never comes to the instance that asked (it is killed while
        // waiting); then the run of whoever takes the assignment over, and the auditor.
        llm.ReplyJson(new
        {
            rationale = "One change.",
            assignments = new[] { new { title = "Code", instructions = "Add a greeting.", scope = new { allow = new[] { "src/**" }, deny = Array.Empty<string>() } } },
        });
        llm.ReplyToolCall("write_file", new { path = "src/doomed.txt", content = "never\n" }, delay: TimeSpan.FromSeconds(40));
        llm.ReplyToolCall("write_file", new { path = "src/greeting.txt", content = "hello\n" }).ReplyToolCall("finish", new { summary = "Done." });
        llm.ReplyJson(new { score = 0.9, verdict = "pass", findings = Array.Empty<object>() });

        var labeled = Payloads.Labeled(cloneUrl: repository.BarePath);
        labeled["repository"]!["default_branch"] = "main";
        (await first.SendAsync("issues", labeled)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await Eventually.TrueAsync(() => llm.Requests.Count >= 2, "the worker's first LLM request", TimeSpan.FromSeconds(60));

        await using var store = AtomDatabase.ForPostgreSql(database);
        var assignments = new AssignmentStore(store, TimeProvider.System);
        var task = (await new TaskStore(store, TimeProvider.System).ListRecentAsync(10, Ct)).ShouldHaveSingleItem();
        var running = (await assignments.ListForTaskAsync(task.Id, Ct)).ShouldHaveSingleItem();
        running.State.ShouldBe(AssignmentState.Running);
        var (doomed, survivor) = running.ClaimedBy!.Contains($":{first.ProcessId}:", StringComparison.Ordinal) ? (first, second) : (second, first);
        await doomed.KillAsync();

        // The survivor fetches the job again once its dead instance stopped sliding it, takes over the stale claim, runs
        // the assignment from the remote branch, and the task goes on to its one pull request.
        try
        {
            await Eventually.TrueAsync(() => github.PullRequests.Count >= 1, "the pull request", TimeSpan.FromSeconds(90));
        }
        catch (TimeoutException ex)
        {
            IReadOnlyList<string> jobs;
            try
            {
                jobs = await store.QueryAsync(
                    "SELECT j.id, j.statename, q.queue, q.fetchedat FROM hangfire.job j LEFT JOIN hangfire.jobqueue q ON q.jobid = j.id ORDER BY j.id",
                    r => $"job {r.GetInt64(0)} {r.GetValue(1)} queue={r.GetValue(2)} fetched={r.GetValue(3)}",
                    CancellationToken.None);
            }
            catch (Npgsql.PostgresException read)
            {
                jobs = [$"(Hangfire's tables could not be read: {read.MessageText})"];
            }

            throw new TimeoutException($"{ex.Message}\njobs:\n{string.Join('\n', jobs)}\nsurvivor:\n{string.Join('\n', survivor.Output.Split('\n').TakeLast(60))}", ex);
        }

        await Eventually.QuietPeriodAsync(TimeSpan.FromSeconds(2));
        github.PullRequests.ShouldHaveSingleItem();
        var finished = (await assignments.ListForTaskAsync(task.Id, Ct)).ShouldHaveSingleItem();
        finished.State.ShouldBe(AssignmentState.Done);
        finished.Attempts.ShouldBe(2, "one run by the killed instance, one by the survivor");
        finished.ClaimedBy.ShouldNotBeNull().ShouldContain($":{survivor.ProcessId}:");
        finished.Result!.FilesChanged.ShouldBe(["src/greeting.txt"]);
        (await new TaskStore(store, TimeProvider.System).GetAsync(task.Id, Ct))!.State.ShouldBe(TaskState.AwaitingApproval);
        llm.UnscriptedRequests.ShouldBe(0);
        github.Comments(1).Count(c => c.Contains("👀", StringComparison.Ordinal)).ShouldBeLessThanOrEqualTo(1);

        var verification = await AuditVerifier.VerifyDatabaseAsync(store, null, Ct);
        verification.IsValid.ShouldBeTrue(verification.Break?.ToString());
        (await store.QueryAsync(
            "SELECT COUNT(*) FROM audit_entries WHERE task_id = $task AND kind = $kind",
            r => r.GetInt64(0),
            Ct,
            ("$task", task.Id),
            ("$kind", AuditKinds.AssignmentFinished)))[0].ShouldBe(1, "the killed run never finished; its late result would be void");
    }

    [Fact]
    public async Task A_delivery_stored_by_an_instance_that_died_before_enqueuing_its_job_is_processed_by_another()
    {
        var database = await (await postgres.ClusterAsync()).CreateDatabaseAsync();
        using var github = new GitHubStub();
        var environment = new Dictionary<string, string?>
        {
            ["ATOM_DATABASE"] = database,
            ["ATOM_JOB_STORAGE"] = database,
            ["ATOM_JOB_INVISIBILITY_SECONDS"] = "5",
        };
        await using var survivor = await AtomTestHost.StartAsync(github, _firstDir, environment);

        // What the dead instance left behind: the delivery stored (its webhook was answered), its job never enqueued.
        // The survivor started before, so its start-up recovery does not see it; only the sweep can.
        var deliveries = survivor.Services.GetRequiredService<Atom.Bot.Ingress.DeliveryStore>();
        var deliveryId = Guid.NewGuid().ToString();
        (await deliveries.TryAddAsync(deliveryId, "issues", "labeled", null, "acme/widgets", Payloads.Labeled().ToJsonString(), Ct)).ShouldBeTrue();

        await Eventually.TrueAsync(async () => (await deliveries.GetAsync(deliveryId, Ct))!.ProcessedAt is not null, "the stranded delivery processed", TimeSpan.FromSeconds(30));
        (await survivor.Tasks.ListRecentAsync(10, Ct)).ShouldHaveSingleItem().IssueNumber.ShouldBe(1);
        survivor.Logs.Lines.ShouldContain(l => l.Contains(deliveryId, StringComparison.Ordinal) && l.Contains("never enqueued", StringComparison.Ordinal));

        // A delivery through the webhook is enqueued right after its answer and recorded so: the sweep leaves it alone.
        (await survivor.SendAsync("issues", Payloads.Closed())).StatusCode.ShouldBe(HttpStatusCode.OK);
        await Eventually.TrueAsync(async () => (await deliveries.ListUnprocessedAsync(Ct)).Count == 0, "the webhook delivery processed");
        (await deliveries.ListStrandedAsync(DateTimeOffset.UtcNow.AddMinutes(1), Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Approve_on_two_instances_at_the_same_moment_merges_once()
    {
        var database = await (await postgres.ClusterAsync()).CreateDatabaseAsync();

        // Each instance processes what it receives (its own jobs), so the two approvals are decided by two instances at once.
        await using var scenario = await AtomScenario.StartAsync(environment: new Dictionary<string, string?> { ["ATOM_DATABASE"] = database, ["ATOM_JOB_STORAGE"] = "memory" });
        scenario.ReplyPlan(("Code", ["src/**"])).ReplyWrite("src/greeting.txt", "hello\n").ReplyVerdict();
        await scenario.Host.SendAsync("issues", scenario.Labeled());
        var task = await scenario.WaitForStateAsync(TaskState.AwaitingApproval);
        var other = await scenario.StartAnotherInstanceAsync();
        var pull = task.PullRequest!.Value;

        // Either approval alone would merge (one writer's approval is required).
        var sent = await Task.WhenAll(
            scenario.Host.SendAsync("issue_comment", Payloads.Comment(pull, "alice", "/approve")),
            other.SendAsync("issue_comment", Payloads.Comment(pull, "bob", "/approve")));
        sent.ShouldAllBe(r => r.StatusCode == HttpStatusCode.OK);

        await scenario.WaitForStateAsync(TaskState.Merged);
        await Eventually.QuietPeriodAsync(TimeSpan.FromSeconds(1));
        scenario.GitHub.Merges().ShouldHaveSingleItem();
        var entries = await scenario.AuditAsync(task.Id);
        entries.Count(e => e.Kind == AuditKinds.Merge).ShouldBe(1);
        entries.Count(e => e.Kind == AuditKinds.MergeOrdered).ShouldBe(1);
        (await scenario.VerifyAuditAsync()).IsValid.ShouldBeTrue();
    }

    [Fact]
    public async Task Two_instances_sharing_one_keys_directory_extend_one_audit_chain_and_verify_names_both()
    {
        var database = await (await postgres.ClusterAsync()).CreateDatabaseAsync();
        using var github = new GitHubStub();
        var environment = new Dictionary<string, string?> { ["ATOM_DATABASE"] = database, ["ATOM_JOB_STORAGE"] = "memory" };
        await using var first = await AtomTestHost.StartAsync(github, _firstDir, environment);
        MountKeysOf(_firstDir, _secondDir);
        await using var second = await AtomTestHost.StartAsync(github, _secondDir, environment);
        var firstId = first.Services.GetRequiredService<InstanceRegistry>().Id;
        var secondId = second.Services.GetRequiredService<InstanceRegistry>().Id;
        var firstLog = first.Services.GetRequiredService<AuditLog>();
        var secondLog = second.Services.GetRequiredService<AuditLog>();

        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? firstLog : secondLog).RecordAsync(AuditKinds.Plan, null, "atom", new { i }, Ct)));
        var (rotated, _, rotateError) = await RunAuditAsync(first.Options, "rotate-key");
        rotated.ShouldBe(0, rotateError);
        await firstLog.RecordAsync(AuditKinds.Plan, null, "atom", new { after = "rotation" }, Ct);
        await secondLog.RecordAsync(AuditKinds.Plan, null, "atom", new { after = "rotation" }, Ct);

        var (code, output, error) = await RunAuditAsync(second.Options, "verify");
        code.ShouldBe(0, error);
        output.ShouldContain("retired at entry");
        var lines = output.Split('\n');
        var cli = $"{Environment.MachineName}:{Environment.ProcessId}:cli";
        lines.ShouldContain(l => l.StartsWith($"instance {firstId}: ", StringComparison.Ordinal), output);
        lines.ShouldContain(l => l.StartsWith($"instance {secondId}: ", StringComparison.Ordinal), output);
        lines.ShouldContain(l => l.StartsWith($"instance {cli}: 1 entries", StringComparison.Ordinal), output);
        var verification = await AuditVerifier.VerifyDatabaseAsync(first.Database, null, Ct);
        verification.Instances.Select(i => i.Id).ShouldBe([firstId, secondId, cli], ignoreOrder: true);
        verification.Instances.Single(i => i.Id == secondId).Entries.ShouldBeGreaterThanOrEqualTo(6, "five before the rotation, one after it with the new key");
        verification.Instances.Sum(i => i.Entries).ShouldBe(verification.Entries);
    }

    private static async Task<(int Code, string Output, string Error)> RunAuditAsync(AtomOptions options, params string[] args)
    {
        await using var output = new StringWriter();
        await using var error = new StringWriter();
        var code = await AuditCommand.RunAsync(args, options, output, error, Ct);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>The second instance's keys directory is the first's, as when both mount one volume (docs/operations.md).</summary>
    private static void MountKeysOf(string from, string to) =>
        Directory.CreateSymbolicLink(Path.Combine(to, "keys"), Path.Combine(from, "keys"));

    private static List<System.Text.Json.JsonElement> Instances(string status) =>
        [.. System.Text.Json.JsonDocument.Parse(status).RootElement.GetProperty("instances").EnumerateArray()];
}
