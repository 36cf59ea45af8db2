using Atom.Bot.Audit;
using Atom.Bot.Git;
using Atom.Bot.Llm;
using Atom.Bot.Tasks;
using Atom.Bot.Workers;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>
/// The whole outside world of one end-to-end test: a WireMock GitHub, a scripted LLM, a real bare repository as the
/// remote (a local path, or served by git http-backend with token auth), and the real service on Kestrel.
/// </summary>
public sealed class AtomScenario : IAsyncDisposable
{
    public const string Title = "Add a greeting";

    private readonly string _dataDir;
    private readonly Dictionary<string, string?> _environment;
    private readonly Action<WebApplicationBuilder>? _configure;
    private readonly List<(AtomTestHost Host, string DataDir)> _others = [];

    /// <summary>The model name the second auditor (<see cref="Auditor2"/>) is configured with.</summary>
    public const string Auditor2Model = "auditor2-model";

    private AtomScenario(GitHubStub github, LlmScript llm, LlmScript? auditor2, TestRepository repository, GitHttpServer? http, string dataDir, Dictionary<string, string?> environment, Action<WebApplicationBuilder>? configure)
    {
        _configure = configure;
        GitHub = github;
        Llm = llm;
        Auditor2 = auditor2;
        Repository = repository;
        Http = http;
        _dataDir = dataDir;
        _environment = environment;
    }

    public GitHubStub GitHub { get; }
    public LlmScript Llm { get; }

    /// <summary>The second auditor's own server (<c>ATOM_AUDITOR2_*</c>, model <see cref="Auditor2Model"/>); null unless asked for.</summary>
    public LlmScript? Auditor2 { get; }
    public TestRepository Repository { get; }
    public GitHttpServer? Http { get; }
    public AtomTestHost Host { get; private set; } = null!;

    /// <summary>The clone URL the service sees: the bare repository's path, or its http-backend URL.</summary>
    public string CloneUrl => Http is null ? Repository.BarePath : Http.RepositoryUrl(Repository.Name);

    /// <summary>The GitHub App installation the tasks of <see cref="WorkingTaskAsync"/> come from (none: a personal token).</summary>
    public long? InstallationId { get; set; }

    public TaskStore Tasks => Host.Tasks;
    public AssignmentStore Assignments => Host.Services.GetRequiredService<AssignmentStore>();

    public static async Task<AtomScenario> StartAsync(
        IReadOnlyDictionary<string, string>? files = null,
        string? settings = null,
        int concurrency = 1,
        bool overHttp = false,
        IDictionary<string, string?>? environment = null,
        Action<WebApplicationBuilder>? configure = null,
        bool secondAuditor = false)
    {
        var github = new GitHubStub();
        var llm = new LlmScript();
        var auditor2 = secondAuditor ? new LlmScript() : null;
        var repository = TestRepository.Create(files ?? new Dictionary<string, string>
        {
            ["README.md"] = "# Widgets\n",
            ["src/app.txt"] = "hello\n",
        });
        var http = overHttp ? await GitHttpServer.StartAsync(repository.Root, AtomTestHost.GitHubToken, requireAuthForFetch: true) : null;
        github.Settings(settings);
        github.BranchHead = repository.Head;
        github.GitDataRepository = repository.BarePath;
        var env = new Dictionary<string, string?>
        {
            ["ATOM_LLM_BASE_URL"] = llm.BaseUrl.ToString(),
            ["ATOM_LLM_MODEL"] = "scripted-model",
            ["ATOM_LLM_CONCURRENCY"] = concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (auditor2 is not null)
        {
            auditor2.Models.Add(Auditor2Model);
            env["ATOM_AUDITOR2_BASE_URL"] = auditor2.BaseUrl.ToString();
            env["ATOM_AUDITOR2_MODEL"] = Auditor2Model;
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            env[key] = value;
        }

        var scenario = new AtomScenario(github, llm, auditor2, repository, http, Directory.CreateTempSubdirectory("atom-scenario-").FullName, env, configure);
        scenario.Host = await scenario.StartHostAsync();
        return scenario;
    }

    /// <summary>Stops the service (running jobs are interrupted) and starts it again on the same data directory.</summary>
    public async Task RestartAsync()
    {
        await Host.StopAsync();
        await Host.DisposeAsync();
        Host = await StartHostAsync();
    }

    /// <summary>
    /// Starts another instance of the service beside <see cref="Host"/>, over the same outside world and environment
    /// (give it an <c>ATOM_DATABASE</c> to share state) with its own data directory and the same keys directory (a symbolic link: one mounted volume), as
    /// instances behind one load balancer run. Stopped with the scenario.
    /// </summary>
    public async Task<AtomTestHost> StartAnotherInstanceAsync()
    {
        var dataDir = Directory.CreateTempSubdirectory("atom-scenario-other-").FullName;
        Directory.CreateSymbolicLink(Path.Combine(dataDir, "keys"), Path.Combine(_dataDir, "keys"));

        var host = await StartHostAsync(dataDir);
        _others.Add((host, dataDir));
        return host;
    }

    private Task<AtomTestHost> StartHostAsync(string? dataDir = null) =>
        AtomTestHost.StartAsync(GitHub, dataDir ?? _dataDir, _environment, builder =>
        {
            builder.Services.AddSingleton(new LlmPoolTuning { RetryBaseDelay = TimeSpan.FromMilliseconds(5), MaxBackoff = TimeSpan.FromMilliseconds(50), MaxRetryAfter = TimeSpan.FromSeconds(2) });
            _configure?.Invoke(builder);
        });

    /// <summary>The labelled-issue delivery for this scenario's repository.</summary>
    public System.Text.Json.Nodes.JsonObject Labeled(int issue = 1, string title = Title, string body = "Please add a greeting file.", long? installationId = null)
    {
        var payload = Payloads.Labeled(issue: issue, title: title, body: body, cloneUrl: CloneUrl, installationId: installationId);
        payload["repository"]!["default_branch"] = "main";
        return payload;
    }

    /// <summary>A plan reply: one assignment per (title, allow globs).</summary>
    public AtomScenario ReplyPlan(params (string Title, string[] Allow)[] assignments)
    {
        Llm.ReplyJson(new
        {
            rationale = "Split by folder.",
            assignments = PlannedAssignments(assignments),
        });
        return this;
    }

    /// <summary>A plan reply that also names skills the model would have wanted (<c>missing_skills</c>).</summary>
    public AtomScenario ReplyPlanMissingSkills(string[] missingSkills, params (string Title, string[] Allow)[] assignments)
    {
        Llm.ReplyJson(new
        {
            rationale = "Split by folder.",
            assignments = PlannedAssignments(assignments),
            missing_skills = missingSkills,
        });
        return this;
    }

    private static object[] PlannedAssignments((string Title, string[] Allow)[] assignments) =>
        [.. assignments.Select(a => new { title = a.Title, instructions = $"Do this: {a.Title}", scope = new { allow = a.Allow, deny = Array.Empty<string>() } })];

    /// <summary>An auditor verdict reply.</summary>
    public AtomScenario ReplyVerdict(string verdict = "pass", double score = 0.9, string? finding = null)
    {
        Llm.ReplyJson(new
        {
            score,
            verdict,
            findings = finding is null ? Array.Empty<object>() : [new { severity = "error", message = finding }],
        });
        return this;
    }

    /// <summary>The second auditor's verdict reply (needs <c>secondAuditor: true</c>).</summary>
    public AtomScenario ReplySecondVerdict(string verdict = "pass", double score = 0.9, string? finding = null)
    {
        (Auditor2 ?? throw new InvalidOperationException("Start the scenario with secondAuditor: true.")).ReplyJson(new
        {
            score,
            verdict,
            findings = finding is null ? Array.Empty<object>() : [new { severity = "warning", message = finding, path = "src/greeting.txt" }],
        });
        return this;
    }

    /// <summary>A worker that writes one file and finishes.</summary>
    public AtomScenario ReplyWrite(string path, string content, string summary = "Done.")
    {
        Llm.ReplyToolCall("write_file", new { path, content }).ReplyToolCall("finish", new { summary });
        return this;
    }

    public async Task<AtomTask> TaskOfIssueAsync(int issue = 1) =>
        (await Tasks.ListRecentAsync(20, CancellationToken.None)).First(t => t.IssueNumber == issue);

    /// <summary>Waits until the issue's task reaches <paramref name="state"/>.</summary>
    public async Task<AtomTask> WaitForStateAsync(TaskState state, int issue = 1)
    {
        try
        {
            await Eventually.TrueAsync(async () => (await Tasks.ListRecentAsync(20, CancellationToken.None)).Any(t => t.IssueNumber == issue && t.State == state), $"task in {state}", TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException ex)
        {
            // The service's own account of what happened is the fastest way to see why.
            var task = (await Tasks.ListRecentAsync(20, CancellationToken.None)).FirstOrDefault(t => t.IssueNumber == issue);
            throw new TimeoutException($"{ex.Message}; the task is {task?.State} ({task?.StateReason}). Log:\n{string.Join('\n', Host.Logs.Lines.TakeLast(40))}", ex);
        }

        var reached = await TaskOfIssueAsync(issue);
        if (state == TaskState.AwaitingApproval && reached.CertifiedAt is { } certifiedAt)
        {
            // People read a package before they approve it. GitHub stamps a comment to the second, and a /approve stamped
            // before the certification moment is refused as stale: let the certification's second pass first.
            // Task.Delay runs on a coarse monotonic clock and can end a few milliseconds before the wall clock gets there.
            var next = Atom.Bot.Approval.ApprovalHandler.FirstFreshComment(certifiedAt);
            for (var wait = next - DateTimeOffset.UtcNow; wait > TimeSpan.Zero; wait = next - DateTimeOffset.UtcNow)
            {
                await Task.Delay(wait + TimeSpan.FromMilliseconds(5));
            }
        }

        return reached;
    }

    /// <summary>
    /// A task already planned and working, with the given assignments queued (each: title and allow globs), the way
    /// the supervisor leaves it; tests then drive the workers through their job entry point.
    /// </summary>
    public async Task<(AtomTask Task, IReadOnlyList<Assignment> Assignments)> WorkingTaskAsync(params (string Title, string[] Allow)[] assignments)
    {
        var created = await Tasks.CreateAsync(
            new NewTask($"{TestRepository.Owner}/{Repository.Name}", 4242, InstallationId, CloneUrl, "main", 7, Title, "Please add a greeting.", Payloads.Labeller),
            CancellationToken.None);
        var task = created.Task;
        await Tasks.MarkAcknowledgedAsync(task.Id, 1, CancellationToken.None);
        (await Tasks.TransitionAsync(task.Id, TaskTransitions.Plan, "test", null, CancellationToken.None)).ShouldBeTrue();
        var branch = BranchNames.TaskBranch(task.IssueNumber, task.IssueTitle);
        await Tasks.SetPlanAsync(task.Id, """{"rationale":"test","assignments":[]}""", branch, CancellationToken.None);
        var repositoryScope = Scope.From(new Atom.Bot.Configuration.ScopeSettings());
        var list = await Assignments.CreateRoundAsync(task.Id, 0, assignments.Select((a, i) => new NewAssignment(
            i + 1,
            a.Title,
            $"Do this: {a.Title}",
            null,
            new Scope(a.Allow, [], 20, 800).NarrowTo(repositoryScope),
            BranchNames.WorkBranch(task.IssueNumber, task.IssueTitle, i + 1, assignments.Length))).ToList(), CancellationToken.None);
        (await Tasks.TransitionAsync(task.Id, TaskTransitions.Dispatch, "test", null, CancellationToken.None)).ShouldBeTrue();
        return ((await Tasks.GetAsync(task.Id, CancellationToken.None))!, list);
    }

    /// <summary>Runs one assignment through the worker's job entry point and returns it as stored afterwards.</summary>
    public async Task<Assignment> RunAsync(Assignment assignment)
    {
        await Host.Services.GetRequiredService<AssignmentWorker>().RunAsync(new RunAssignment(assignment.Id), CancellationToken.None);
        return (await Assignments.GetAsync(assignment.Id, CancellationToken.None))!;
    }

    public async Task<AuditVerification> VerifyAuditAsync() =>
        await AuditVerifier.VerifyDatabaseAsync(Host.Database, null, CancellationToken.None);

    public async Task<IReadOnlyList<AuditEntry>> AuditAsync(long taskId) =>
        await Host.Services.GetRequiredService<AuditLog>().EntriesForTaskAsync(taskId, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        foreach (var (other, _) in _others)
        {
            await other.DisposeAsync();
        }
        if (Http is not null)
        {
            await Http.DisposeAsync();
        }

        Llm.Dispose();
        Auditor2?.Dispose();
        GitHub.Dispose();
        Repository.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var dataDir in _others.Select(o => o.DataDir).Prepend(_dataDir))
        {
            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
