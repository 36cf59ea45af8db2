using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Atom.Bot.Approval;
using Atom.Bot.Configuration;
using Atom.Bot.Ingress;
using Atom.Bot.Tasks;

namespace Atom.Bot.Trial;

/// <summary>
/// <c>atom try</c>: the whole loop on a local repository without GitHub. Atom's service runs in this process, unchanged,
/// against <see cref="LocalPlatform"/> (GitHub's REST shapes served on 127.0.0.1, backed by the repository), and the
/// person trying it acts through signed webhook deliveries as GitHub would send them: the labelled issue, then
/// <c>/approve</c>, <c>/revise</c> or <c>/reject</c> on the pull request. Atom's data (tasks, audit log, keys,
/// worktrees) lives in the repository's <c>.git/atom-try/</c>, with the packages it writes.
/// </summary>
public static class TryCommand
{
    public const string Usage = """
        usage: atom try [--repo PATH] [--branch BRANCH] [--verbose] "issue text" | --issue-file FILE
               atom try approve [--repo PATH] [--pull N]
               atom try revise "feedback" [--repo PATH] [--pull N]
               atom try reject "reason" [--repo PATH] [--pull N]
               atom try resume [--repo PATH]
          Runs Atom on a local repository (default: the current directory) without GitHub: only a model endpoint
          (ATOM_LLM_BASE_URL, ATOM_LLM_MODEL) is needed. The package is written to .git/atom-try/ as Markdown and HTML;
          approve merges it into the local default branch. After an interruption (Ctrl+C), resume carries on.
        """;

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    /// <summary>Runs the command; <paramref name="environment"/> is the process environment (tests pass their own).</summary>
    public static async Task<int> RunAsync(
        string[] args,
        IReadOnlyDictionary<string, string?> environment,
        string workingDirectory,
        string homeDirectory,
        TextWriter output,
        TextWriter error,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var parsed = TryArguments.Parse(args, workingDirectory);
        if (parsed is null || parsed.Error is not null)
        {
            await error.WriteLineAsync((parsed?.Error is { } problem ? $"atom try: {problem}\n" : "") + Usage);
            return parsed is null && args.Any(a => a is "--help" or "-h") ? 0 : 2;
        }

        var (repository, repositoryError) = await LocalRepository.OpenAsync(parsed.Repository, parsed.Branch, cancellationToken);
        if (repository is null)
        {
            await error.WriteLineAsync($"atom try: {repositoryError}");
            return 2;
        }

        var home = Path.Combine(repository.GitDir, "atom-try");
        // Only its owner reads Atom's data (keys, audit log): the same owner-only directory the keys live in.
        Audit.SigningKey.EnsureDirectory(home);

        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        var user = LoginOf(environment);
        await using var platform = await LocalPlatform.StartAsync(repository, Path.Combine(home, "platform.json"), token, user, cancellationToken);
        var options = Options(environment, workingDirectory, homeDirectory, platform.Url, token, Path.Combine(home, "data"), out var problems);
        if (options is null)
        {
            foreach (var problem in problems)
            {
                await error.WriteLineAsync($"atom try: configuration error: {problem}");
            }

            return 2;
        }

        if (await ModelProbe.ProblemAsync(options, cancellationToken) is { } unreachable)
        {
            await error.WriteLineAsync(ModelProbe.Advice(options, unreachable));
            return 2;
        }

        LocalIssue? pull = null;
        if (parsed.Command is not (TryCommandKind.New or TryCommandKind.Resume))
        {
            pull = parsed.PullRequest is { } number ? platform.Find(number) : platform.LatestOpenPullRequest();
            if (pull is not { IsPullRequest: true, State: "open" })
            {
                await error.WriteLineAsync(parsed.PullRequest is { } n
                    ? $"atom try: #{n} is not an open pull request of atom try in {repository.Root}"
                    : $"atom try: there is no open pull request to {parsed.Command.ToString().ToLowerInvariant()} in {repository.Root}; start with: atom try \"issue text\"");
                return 2;
            }
        }

        using var progress = new TryProgress(output);
        var printer = new CommentPrinter(output);
        platform.Posted = printer.Print;
        await using var app = Program.BuildService(options, ["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Logging.ClearProviders();
            if (parsed.Verbose)
            {
                builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information);
            }
        });
        await app.StartAsync(cancellationToken);
        var run = new TryRun(app, platform, repository, home, output, error, progress, Poll);
        try
        {
            return parsed.Command switch
            {
                TryCommandKind.New => await run.NewIssueAsync(parsed.Text!, cancellationToken),
                TryCommandKind.Resume => await run.ResumeAsync(cancellationToken),
                TryCommandKind.Approve => await run.CommandAsync(pull!, "/approve", TaskState.Merged, cancellationToken),
                TryCommandKind.Reject => await run.CommandAsync(pull!, $"/reject {parsed.Text}".TrimEnd(), TaskState.Rejected, cancellationToken),
                _ => await run.CommandAsync(pull!, $"/revise {parsed.Text}", TaskState.AwaitingApproval, cancellationToken),
            };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Nothing is lost: the task's state is stored, and the service's recovery carries it on at the next start.
            await error.WriteLineAsync("atom try: interrupted; the task stays where it was: `atom try resume` carries on from there");
            return 130;
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// The service's options for a try: the person's own settings (the model, the sandbox, limits), with everything
    /// GitHub-facing pointed at the local platform, a fresh secret and token, the state in SQLite under
    /// <paramref name="dataDir"/>, and nothing that would reach outside (no App, no database, no health API, no dashboard).
    /// </summary>
    internal static AtomOptions? Options(IReadOnlyDictionary<string, string?> environment, string workingDirectory, string homeDirectory, Uri platform, string token, string dataDir, out IReadOnlyList<string> problems)
    {
        var env = new Dictionary<string, string?>(environment, StringComparer.Ordinal)
        {
            ["ATOM_WEBHOOK_SECRET"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20)),
            ["ATOM_GITHUB_API_URL"] = platform.ToString(),
            ["ATOM_GITHUB_TOKEN"] = token,
            ["ATOM_DATA_DIR"] = dataDir,
            ["ATOM_JOB_STORAGE"] = "memory",
        };
        var configuration = AtomConfiguration.Load(env, workingDirectory, homeDirectory);
        problems = configuration.Errors;
        return configuration.Options is { } options
            ? options with { GitHubAppId = null, GitHubAppPrivateKeyPath = null, Database = null, HealthUrl = null, DashboardToken = null, GitSigning = GitSigningMode.None }
            : null;
    }

    private static string LoginOf(IReadOnlyDictionary<string, string?> environment)
    {
        // A GitHub login: letters, digits and single hyphens. The person's account name when it is one, else "you".
        var name = environment.GetValueOrDefault("USER") ?? environment.GetValueOrDefault("USERNAME") ?? "";
        return System.Text.RegularExpressions.Regex.IsMatch(name, "^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$") && name != LocalPlatform.BotLogin ? name : "you";
    }

    /// <summary>Prints what Atom says on the issue and the pull request, as a person on GitHub would read it.</summary>
    private sealed class CommentPrinter(TextWriter output)
    {
        private readonly Lock _lock = new();

        public void Print(int number, string body)
        {
            lock (_lock)
            {
                output.WriteLine($"atom on #{number}:");
                foreach (var line in body.Trim().Split('\n'))
                {
                    output.WriteLine($"  | {line.TrimEnd('\r')}");
                }
            }
        }
    }
}

/// <summary>One <c>atom try</c> run against the started service: sends a delivery and waits for what it leads to.</summary>
internal sealed class TryRun(WebApplication app, LocalPlatform platform, LocalRepository repository, string home, TextWriter output, TextWriter error, TryProgress progress, TimeSpan poll)
{
    private static readonly TaskState[] Settled = [TaskState.AwaitingApproval, TaskState.MergeBlocked, TaskState.MergeQueued, TaskState.Merged, TaskState.Rejected, TaskState.Failed, TaskState.Cancelled];

    private TaskStore Tasks => app.Services.GetRequiredService<TaskStore>();

    public async Task<int> NewIssueAsync(string text, CancellationToken cancellationToken)
    {
        var lines = text.Trim().Split('\n', 2);
        var title = lines[0].Trim() is { Length: > 256 } long_ ? long_[..256] : lines[0].Trim();
        var issue = platform.OpenIssue(title, lines.Length > 1 ? lines[1].Trim() : "");
        var label = RepoSettingsParser.Parse(repository.ReadFile(repository.DefaultBranch, ".github/atom.yml") is { } file ? Encoding.UTF8.GetString(file.Content) : null).TriggerLabel;
        await output.WriteLineAsync($"issue #{issue.Number} \"{title}\" on {repository.Root} ({repository.DefaultBranch}), labelled {label}");
        var payload = new JsonObject
        {
            ["action"] = "labeled",
            ["issue"] = platform.IssueJson(issue),
            ["label"] = platform.Label(label),
            ["repository"] = platform.RepositoryJson(),
            ["sender"] = platform.Person(platform.User),
        };
        var outcome = await DeliverAsync("issues", payload, cancellationToken);
        if (await Tasks.FindLatestAsync(platform.RepositoryId, issue.Number, cancellationToken) is null)
        {
            await error.WriteLineAsync($"atom try: Atom did not take the issue ({outcome})");
            return 1;
        }

        return await SettleAsync(issue.Number, null, null, cancellationToken);
    }

    /// <summary>Waits again for the newest issue's task, which the service's recovery resumed at start.</summary>
    public async Task<int> ResumeAsync(CancellationToken cancellationToken)
    {
        if (platform.LatestIssue() is not { } issue || await Tasks.FindLatestAsync(platform.RepositoryId, issue.Number, cancellationToken) is not { } task)
        {
            await error.WriteLineAsync($"atom try: there is nothing to resume in {repository.Root}; start with: atom try \"issue text\"");
            return 2;
        }

        await output.WriteLineAsync($"resuming task {task.Id} (issue #{issue.Number} \"{issue.Title}\", {task.State})");
        return await SettleAsync(issue.Number, task.Id, null, cancellationToken);
    }

    public async Task<int> CommandAsync(LocalIssue pull, string command, TaskState expected, CancellationToken cancellationToken)
    {
        var task = await Tasks.FindByPullRequestAsync(platform.RepositoryId, pull.Number, cancellationToken);
        if (task is null)
        {
            await error.WriteLineAsync($"atom try: #{pull.Number} has no task (was the data in .git/atom-try/data removed?)");
            return 2;
        }

        // GitHub stamps a comment to the second, and Atom holds an approval stamped in or before the second its head was
        // certified in as given on an earlier head (stale). A person reads the package first; a script that approves at
        // once waits for that second to pass.
        if (task.CertifiedAt is { } certifiedAt)
        {
            var next = ApprovalHandler.FirstFreshComment(certifiedAt);
            for (var wait = next - DateTimeOffset.UtcNow; wait > TimeSpan.Zero; wait = next - DateTimeOffset.UtcNow)
            {
                await Task.Delay(wait + TimeSpan.FromMilliseconds(5), cancellationToken);
            }
        }

        var comment = platform.Comment(pull.Number, command);
        await output.WriteLineAsync($"you on #{pull.Number}: {command}");
        var payload = new JsonObject
        {
            ["action"] = "created",
            ["issue"] = platform.IssueJson(platform.Find(pull.Number)!),
            ["comment"] = platform.CommentJson(pull.Number, comment),
            ["repository"] = platform.RepositoryJson(),
            ["sender"] = platform.Person(platform.User),
        };
        var before = task;
        var outcome = await DeliverAsync("issue_comment", payload, cancellationToken);
        var after = await Tasks.GetAsync(task.Id, cancellationToken) ?? task;
        if (after.State == before.State && after.Round == before.Round && after.HeadSha == before.HeadSha)
        {
            // Nothing moved: Atom refused the command, and said why in its reply (printed above).
            await error.WriteLineAsync($"atom try: {command.Split(' ')[0]} did not take effect ({outcome})");
            return 1;
        }

        return await SettleAsync(task.IssueNumber, task.Id, expected == TaskState.AwaitingApproval ? before.Round : null, cancellationToken);
    }

    /// <summary>Sends a delivery signed as GitHub signs it and waits until Atom has processed it; returns its outcome.</summary>
    private async Task<string> DeliverAsync(string @event, JsonObject payload, CancellationToken cancellationToken)
    {
        var options = app.Services.GetRequiredService<AtomOptions>();
        var body = payload.ToJsonString();
        var delivery = Guid.NewGuid().ToString();
        using var http = new HttpClient { BaseAddress = LocalPlatform.AddressOf(app) };
        using var request = new HttpRequestMessage(HttpMethod.Post, WebhookPayloadGuard.Path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-GitHub-Event", @event);
        request.Headers.Add("X-GitHub-Delivery", delivery);
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("atom-try", "1"));
        request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(options.WebhookSecret), Encoding.UTF8.GetBytes(body))));
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            // The delivery is built here, so a refusal is Atom's own bug; say what the service answered.
            throw new InvalidOperationException($"the service refused the {@event} delivery: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
        var deliveries = app.Services.GetRequiredService<DeliveryStore>();
        while (true)
        {
            if (await deliveries.GetAsync(delivery, cancellationToken) is { ProcessedAt: not null } processed)
            {
                return processed.Outcome ?? "processed";
            }

            await Task.Delay(poll, cancellationToken);
        }
    }

    /// <summary>Waits until the issue's task rests (a package to read, merged, rejected, failed), then reports it.</summary>
    private async Task<int> SettleAsync(int issue, long? taskId, int? pastRound, CancellationToken cancellationToken)
    {
        AtomTask task;
        while (true)
        {
            task = (taskId is { } id ? await Tasks.GetAsync(id, cancellationToken) : await Tasks.FindLatestAsync(platform.RepositoryId, issue, cancellationToken))!;
            if (Settled.Contains(task.State) && !(task.State == TaskState.AwaitingApproval && (task.Round == pastRound || task.PullRequest is null)))
            {
                break;
            }

            await Task.Delay(poll, cancellationToken);
        }

        var tokens = progress.TokensIn + progress.TokensOut > 0 ? $"; {progress.TokensIn:N0} tokens in, {progress.TokensOut:N0} out" : "";
        await output.WriteLineAsync($"task {task.Id}: {task.State}{(task.StateReason is { } reason ? $" ({reason})" : "")}{tokens}");
        if (task.PullRequest is { } number && platform.Find(number) is { } pull && task.State is TaskState.AwaitingApproval or TaskState.MergeBlocked)
        {
            var (markdown, html) = TryPackage.Write(home, number, pull.Title, pull.Body);
            await output.WriteLineAsync($"""
                package: {markdown}
                         {html}
                branch:  {pull.Head} (git diff {repository.DefaultBranch}...{pull.Head})
                next:    atom try approve | atom try revise "what to change" | atom try reject "why"
                """);
        }

        if (task.State == TaskState.Merged)
        {
            await output.WriteLineAsync($"merged into {repository.DefaultBranch} at {await repository.HeadAsync(repository.DefaultBranch, cancellationToken)}");
        }

        return task.State is TaskState.Failed or TaskState.Cancelled ? 1 : 0;
    }
}
