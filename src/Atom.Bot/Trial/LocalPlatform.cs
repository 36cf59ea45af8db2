using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Atom.Bot.Trial;

/// <summary>
/// GitHub for <c>atom try</c>: the part of GitHub's REST API that Atom calls, served on 127.0.0.1 in the same process,
/// in GitHub's shapes and with GitHub's refusals (401 without the token, 422 for a missing head or base, 409 when the
/// approved SHA is not the head), backed by the local repository and <see cref="LocalState"/>. Atom runs unchanged
/// against it: the same intake, rules, planning, workers, sandboxed tests, evaluation, auditor, package, approval and
/// merge as the service. What Atom posts is shown through <see cref="Posted"/>.
/// </summary>
internal sealed class LocalPlatform : IAsyncDisposable
{
    /// <summary>Who Atom is here (<c>GET /user</c>).</summary>
    public const string BotLogin = "atom";

    public const string Owner = "local";

    private const string Prefix = "/api/v3/repos/{owner}/{repo}";
    private readonly Lock _lock = new();
    private readonly WebApplication _app;
    private readonly LocalRepository _repository;
    private readonly LocalState _state;
    private readonly string _statePath;
    private readonly string _token;

    private LocalPlatform(WebApplication app, LocalRepository repository, LocalState state, string statePath, string token, string user)
    {
        _app = app;
        _repository = repository;
        _state = state;
        _statePath = statePath;
        _token = token;
        User = user;
        RepositoryId = long.Abs(BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(repository.Root)))) % 1_000_000_000 + 1;
    }

    /// <summary>The person trying Atom: the labeller and the approver, with admin permission on the repository.</summary>
    public string User { get; }

    /// <summary>The value for <c>ATOM_GITHUB_API_URL</c>.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Called with each comment Atom posts (issue or pull request number, body).</summary>
    public Action<int, string>? Posted { get; set; }

    /// <summary>A stable id for the repository, from its path (GitHub's ids are positive).</summary>
    public long RepositoryId { get; }

    public static async Task<LocalPlatform> StartAsync(LocalRepository repository, string statePath, string token, string user, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(LocalPlatform).Assembly.GetName().Name });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var platform = new LocalPlatform(app, repository, LocalState.Load(statePath), statePath, token, user);
        platform.Map(app);
        await app.StartAsync(cancellationToken);
        // Known once Kestrel has bound its free port; every answer and delivery names it.
        platform.Url = AddressOf(app);
        return platform;
    }

    /// <summary>Where a started app on a free port listens, with a trailing slash: this platform, and Atom's service beside it.</summary>
    public static Uri AddressOf(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");

    /// <summary>Opens an issue as <see cref="User"/> (what the person does on GitHub before labelling it).</summary>
    public LocalIssue OpenIssue(string title, string body) =>
        Change(state =>
        {
            var issue = new LocalIssue { Number = state.NextNumber++, Title = title, Body = body, Author = User, CreatedAt = DateTimeOffset.UtcNow };
            state.Issues.Add(issue);
            return issue;
        });

    /// <summary>Comments as <see cref="User"/>; the comment's id and time go into the webhook delivery.</summary>
    public LocalComment Comment(int number, string body) =>
        Change(state =>
        {
            var comment = new LocalComment { Id = state.NewId(), Author = User, Body = body, CreatedAt = DateTimeOffset.UtcNow };
            state.Find(number)!.Comments.Add(comment);
            return comment;
        });

    public LocalIssue? Find(int number)
    {
        lock (_lock)
        {
            return _state.Find(number);
        }
    }

    /// <summary>The newest open pull request, the one <c>atom try approve</c> acts on unless told otherwise.</summary>
    public LocalIssue? LatestOpenPullRequest()
    {
        lock (_lock)
        {
            return _state.Issues.Where(i => i.IsPullRequest && i.State == "open").MaxBy(i => i.Number);
        }
    }

    /// <summary>The newest issue (not a pull request) opened here.</summary>
    public LocalIssue? LatestIssue()
    {
        lock (_lock)
        {
            return _state.Issues.Where(i => !i.IsPullRequest).MaxBy(i => i.Number);
        }
    }

    /// <summary>The pull request Atom opened for an issue: its body says <c>Closes #n</c>.</summary>
    public LocalIssue? PullRequestFor(int issue)
    {
        lock (_lock)
        {
            return _state.Issues.Where(i => i.IsPullRequest && i.Body.Contains($"Closes #{issue}", StringComparison.Ordinal)).MaxBy(i => i.Number);
        }
    }

    public JsonObject Person(string login) => new()
    {
        ["login"] = login,
        ["id"] = login == BotLogin ? 2 : 1,
        ["node_id"] = login == BotLogin ? "U_atom" : "U_local",
        ["avatar_url"] = "",
        ["url"] = $"{Url}api/v3/users/{login}",
        ["html_url"] = $"{Url}{login}",
        ["type"] = "User",
        ["site_admin"] = false,
    };

    private string Api => $"{Url}api/v3/repos/{Owner}/{_repository.Name}";

    public JsonObject RepositoryJson() => new()
    {
        ["id"] = RepositoryId,
        ["node_id"] = "R_local",
        ["name"] = _repository.Name,
        ["full_name"] = $"{Owner}/{_repository.Name}",
        ["private"] = true,
        ["owner"] = Person(Owner),
        ["html_url"] = $"{Url}{Owner}/{_repository.Name}",
        ["url"] = Api,
        ["clone_url"] = _repository.Root,
        ["default_branch"] = _repository.DefaultBranch,
        ["fork"] = false,
        ["created_at"] = "2026-01-01T00:00:00Z",
        ["updated_at"] = "2026-01-01T00:00:00Z",
        ["pushed_at"] = "2026-01-01T00:00:00Z",
    };

    public JsonObject IssueJson(LocalIssue issue)
    {
        var json = new JsonObject
        {
            ["id"] = issue.Number,
            ["node_id"] = $"I_local{issue.Number}",
            ["number"] = issue.Number,
            ["title"] = issue.Title,
            ["body"] = issue.Body,
            ["state"] = issue.State,
            ["locked"] = false,
            ["user"] = Person(issue.Author),
            ["labels"] = Labels(issue),
            ["comments"] = issue.Comments.Count,
            ["url"] = $"{Api}/issues/{issue.Number}",
            ["repository_url"] = Api,
            ["labels_url"] = $"{Api}/issues/{issue.Number}/labels{{/name}}",
            ["comments_url"] = $"{Api}/issues/{issue.Number}/comments",
            ["events_url"] = $"{Api}/issues/{issue.Number}/events",
            ["html_url"] = HtmlUrl(issue),
            ["assignees"] = new JsonArray(),
            ["author_association"] = issue.Author == User ? "OWNER" : "NONE",
            ["created_at"] = Time(issue.CreatedAt),
            ["updated_at"] = Time(issue.CreatedAt),
        };
        if (issue.IsPullRequest)
        {
            json["pull_request"] = new JsonObject { ["url"] = $"{Api}/pulls/{issue.Number}", ["html_url"] = HtmlUrl(issue) };
        }

        return json;
    }

    public JsonObject CommentJson(int number, LocalComment comment) => new()
    {
        ["id"] = comment.Id,
        ["node_id"] = $"IC_local{comment.Id}",
        ["body"] = comment.Body,
        ["user"] = Person(comment.Author),
        ["url"] = $"{Api}/issues/comments/{comment.Id}",
        ["html_url"] = $"{Url}{Owner}/{_repository.Name}/issues/{number}#issuecomment-{comment.Id}",
        ["issue_url"] = $"{Api}/issues/{number}",
        ["author_association"] = comment.Author == User ? "OWNER" : "NONE",
        ["created_at"] = Time(comment.CreatedAt),
        ["updated_at"] = Time(comment.CreatedAt),
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private string HtmlUrl(LocalIssue issue) => $"{Url}{Owner}/{_repository.Name}/{(issue.IsPullRequest ? "pull" : "issues")}/{issue.Number}";

    private JsonArray Labels(LocalIssue issue) => [.. issue.Labels.Select(name => (JsonNode)Label(name))];

    public JsonObject Label(string name) => new()
    {
        ["id"] = name.Length,
        ["node_id"] = "LA_local",
        ["url"] = $"{Api}/labels/{Uri.EscapeDataString(name)}",
        ["name"] = name,
        ["color"] = "ededed",
        ["default"] = false,
        ["description"] = null,
    };

    private T Change<T>(Func<LocalState, T> change)
    {
        lock (_lock)
        {
            var result = change(_state);
            _state.Save(_statePath);
            return result;
        }
    }

    private async Task<JsonObject> PullJsonAsync(LocalIssue pull, CancellationToken cancellationToken)
    {
        var json = IssueJson(pull);
        json.Remove("pull_request");
        json["url"] = $"{Api}/pulls/{pull.Number}";
        json["issue_url"] = $"{Api}/issues/{pull.Number}";
        json["draft"] = pull.Draft;
        json["merged"] = pull.Merged;
        json["mergeable"] = pull.State == "open" ? true : null;
        json["merge_commit_sha"] = pull.MergeCommitSha;
        json["merged_at"] = pull.Merged ? Time(pull.CreatedAt) : null;
        json["closed_at"] = pull.State == "closed" ? Time(pull.CreatedAt) : null;
        json["head"] = await BranchJsonAsync(pull.Head!, cancellationToken);
        json["base"] = await BranchJsonAsync(pull.Base!, cancellationToken);
        return json;
    }

    private async Task<JsonObject> BranchJsonAsync(string branch, CancellationToken cancellationToken) => new()
    {
        ["label"] = $"{Owner}:{branch}",
        ["ref"] = branch,
        ["sha"] = await _repository.HeadAsync(branch, cancellationToken) ?? new string('0', 40),
        ["user"] = Person(Owner),
        ["repo"] = RepositoryJson(),
    };

    private static IResult Error(int status, string message, string? documentation = null) =>
        Results.Json(new JsonObject { ["message"] = message, ["documentation_url"] = $"https://docs.github.com/rest{documentation}", ["status"] = status.ToString(CultureInfo.InvariantCulture) }, statusCode: status);

    private static IResult Validation(string message, string resource = "PullRequest", string? field = null) =>
        Results.Json(new JsonObject
        {
            ["message"] = "Validation Failed",
            ["errors"] = new JsonArray(field is null
                ? new JsonObject { ["resource"] = resource, ["code"] = "custom", ["message"] = message }
                : new JsonObject { ["resource"] = resource, ["field"] = field, ["code"] = "invalid" }),
            ["documentation_url"] = "https://docs.github.com/rest",
            ["status"] = "422",
        }, statusCode: 422);

    private static async Task<JsonNode> BodyAsync(HttpRequest request) =>
        await JsonNode.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted) ?? new JsonObject();

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            // GitHub answers 401 to a request without Atom's token: Atom must authenticate here as it does there.
            // The scheme is case-insensitive there too (Octokit sends "Token").
            var authorization = context.Request.Headers.Authorization.ToString().Split(' ', 2);
            if (authorization.Length != 2 || !(authorization[0].Equals("token", StringComparison.OrdinalIgnoreCase) || authorization[0].Equals("bearer", StringComparison.OrdinalIgnoreCase))
                || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization[1]), Encoding.UTF8.GetBytes(_token)))
            {
                await Error(401, "Bad credentials").ExecuteAsync(context);
                return;
            }

            await next(context);
        });

        app.MapGet("/api/v3/user", () => Results.Json(Person(BotLogin)));
        app.MapGet("/api/v3/users/{login}", (string login) => login == User || login == BotLogin ? Results.Json(Person(login)) : Error(404, "Not Found", "/users/users#get-a-user"));
        app.MapGet(Prefix, () => Results.Json(RepositoryJson()));
        app.MapGet(Prefix + "/collaborators/{user}/permission", (string user) =>
        {
            var permission = user == User ? "admin" : user == BotLogin ? "write" : "none";
            return Results.Json(new JsonObject { ["permission"] = permission, ["role_name"] = permission, ["user"] = Person(user) });
        });
        app.MapGet(Prefix + "/contents/{**path}", (string path, string? @ref) =>
        {
            if (_repository.ReadFile(@ref ?? _repository.DefaultBranch, path) is not { } file)
            {
                return Error(404, "Not Found", "/repos/contents#get-repository-content");
            }

            return Results.Json(new JsonObject
            {
                ["type"] = "file",
                ["encoding"] = "base64",
                ["size"] = file.Content.Length,
                ["name"] = Path.GetFileName(path),
                ["path"] = path,
                ["content"] = Convert.ToBase64String(file.Content, Base64FormattingOptions.InsertLineBreaks),
                ["sha"] = file.BlobSha,
                ["url"] = $"{Api}/contents/{path}",
                ["html_url"] = $"{Url}{Owner}/{_repository.Name}/blob/{@ref ?? _repository.DefaultBranch}/{path}",
                ["git_url"] = $"{Api}/git/blobs/{file.BlobSha}",
                ["download_url"] = null,
            });
        });

        MapIssues(app);
        MapPullRequests(app);

        // Rules, protection and checks: a local repository has none of them, which is what GitHub answers for a branch
        // without rules (an empty list, 404 "Branch not protected", no check runs or statuses).
        app.MapGet(Prefix + "/rules/branches/{**branch}", () => Results.Json(new JsonArray()));
        app.MapGet(Prefix + "/branches/{branch}/protection", () => Error(404, "Branch not protected", "/branches/branch-protection#get-branch-protection"));
        app.MapGet(Prefix + "/commits/{sha}/check-runs", () => Results.Json(new JsonObject { ["total_count"] = 0, ["check_runs"] = new JsonArray() }));
        app.MapGet(Prefix + "/commits/{sha}/status", (string sha) => Results.Json(new JsonObject { ["state"] = "pending", ["sha"] = sha, ["total_count"] = 0, ["statuses"] = new JsonArray() }));
        app.MapPost(Prefix + "/check-runs", async (HttpRequest request) =>
        {
            var sent = await BodyAsync(request);
            return Results.Json(new JsonObject
            {
                ["id"] = Change(s => s.NewId()),
                ["name"] = sent["name"]?.GetValue<string>(),
                ["head_sha"] = sent["head_sha"]?.GetValue<string>(),
                ["status"] = sent["status"]?.GetValue<string>() ?? "queued",
                ["conclusion"] = sent["conclusion"]?.GetValue<string>(),
            }, statusCode: 201);
        });
        app.MapPost(Prefix + "/statuses/{sha}", async (HttpRequest request, string sha) =>
        {
            var sent = await BodyAsync(request);
            return Results.Json(new JsonObject { ["id"] = Change(s => s.NewId()), ["state"] = sent["state"]?.GetValue<string>(), ["context"] = sent["context"]?.GetValue<string>() ?? "default", ["sha"] = sha }, statusCode: 201);
        });
        app.MapFallback((HttpContext context) => Error(404, $"Not Found ({context.Request.Method} {context.Request.Path} is not served by atom try)"));
    }

    private void MapIssues(WebApplication app)
    {
        app.MapGet(Prefix + "/issues/{number:int}", (int number) => Find(number) is { } issue ? Results.Json(IssueJson(issue)) : Error(404, "Not Found", "/issues/issues#get-an-issue"));
        app.MapPatch(Prefix + "/issues/{number:int}", async (HttpRequest request, int number) =>
        {
            var sent = await BodyAsync(request);
            var issue = Change(s =>
            {
                if (s.Find(number) is { } found && sent["state"]?.GetValue<string>() is { } state)
                {
                    found.State = state;
                }

                return s.Find(number);
            });
            return issue is null ? Error(404, "Not Found", "/issues/issues#update-an-issue") : Results.Json(IssueJson(issue));
        });
        app.MapGet(Prefix + "/issues/{number:int}/comments", (int number) =>
            Find(number) is { } issue ? Results.Json(new JsonArray([.. issue.Comments.Select(c => (JsonNode)CommentJson(number, c))])) : Error(404, "Not Found"));
        app.MapPost(Prefix + "/issues/{number:int}/comments", async (HttpRequest request, int number) =>
        {
            var body = (await BodyAsync(request))["body"]?.GetValue<string>();
            if (string.IsNullOrEmpty(body))
            {
                return Validation("body is missing", "IssueComment", "body");
            }

            var comment = Change(s =>
            {
                if (s.Find(number) is not { } issue)
                {
                    return null;
                }

                var posted = new LocalComment { Id = s.NewId(), Author = BotLogin, Body = body, CreatedAt = DateTimeOffset.UtcNow };
                issue.Comments.Add(posted);
                return posted;
            });
            if (comment is null)
            {
                return Error(404, "Not Found", "/issues/comments#create-an-issue-comment");
            }

            Posted?.Invoke(number, body);
            return Results.Json(CommentJson(number, comment), statusCode: 201);
        });
        app.MapPatch(Prefix + "/issues/comments/{id:long}", async (HttpRequest request, long id) =>
        {
            var body = (await BodyAsync(request))["body"]?.GetValue<string>() ?? "";
            var edited = Change(s =>
            {
                var issue = s.Issues.FirstOrDefault(i => i.Comments.Any(c => c.Id == id));
                var comment = issue?.Comments.First(c => c.Id == id);
                if (comment is not null)
                {
                    comment.Body = body;
                }

                return (Number: issue?.Number ?? 0, Comment: comment);
            });
            if (edited.Comment is null)
            {
                return Error(404, "Not Found", "/issues/comments#update-an-issue-comment");
            }

            Posted?.Invoke(edited.Number, body);
            return Results.Json(CommentJson(edited.Number, edited.Comment));
        });
        app.MapPost(Prefix + "/issues/{number:int}/reactions", async (HttpRequest request) => Reaction(await BodyAsync(request)));
        app.MapPost(Prefix + "/issues/comments/{id:long}/reactions", async (HttpRequest request) => Reaction(await BodyAsync(request)));
        app.MapPost(Prefix + "/issues/{number:int}/labels", async (HttpRequest request, int number) =>
        {
            var sent = await BodyAsync(request);
            var names = (sent as JsonArray ?? sent["labels"]?.AsArray() ?? []).Select(n => n!.GetValue<string>()).ToList();
            var issue = Change(s =>
            {
                if (s.Find(number) is { } found)
                {
                    found.Labels.AddRange(names.Where(n => !found.Labels.Contains(n)));
                }

                return s.Find(number);
            });
            return issue is null ? Error(404, "Not Found", "/issues/labels#add-labels-to-an-issue") : Results.Json(Labels(issue));
        });
        app.MapDelete(Prefix + "/issues/{number:int}/labels/{name}", (int number, string name) =>
        {
            var removed = Change(s => s.Find(number) is { } issue && issue.Labels.Remove(name) ? issue : null);
            return removed is null ? Error(404, "Label does not exist", "/issues/labels#remove-a-label-from-an-issue") : Results.Json(Labels(removed));
        });
    }

    private IResult Reaction(JsonNode sent) =>
        Results.Json(new JsonObject
        {
            ["id"] = Change(s => s.NewId()),
            ["node_id"] = "REA_local",
            ["user"] = Person(BotLogin),
            ["content"] = sent["content"]?.GetValue<string>() ?? "eyes",
            ["created_at"] = Time(DateTimeOffset.UtcNow),
        }, statusCode: 201);

    private void MapPullRequests(WebApplication app)
    {
        app.MapGet(Prefix + "/pulls", async (string? head, string? state, CancellationToken cancellationToken) =>
        {
            List<LocalIssue> pulls;
            lock (_lock)
            {
                pulls = [.. _state.Issues.Where(i => i.IsPullRequest && (head is null || $"{Owner}:{i.Head}" == head) && (state == "all" || i.State == (state ?? "open")))];
            }

            var list = new JsonArray();
            foreach (var pull in pulls)
            {
                list.Add(await PullJsonAsync(pull, cancellationToken));
            }

            return Results.Json(list);
        });
        app.MapPost(Prefix + "/pulls", async (HttpRequest request, CancellationToken cancellationToken) =>
        {
            var sent = await BodyAsync(request);
            var head = sent["head"]?.GetValue<string>();
            var @base = sent["base"]?.GetValue<string>();
            var title = sent["title"]?.GetValue<string>();
            if (string.IsNullOrEmpty(title))
            {
                return Validation("title is missing", field: "title");
            }

            // GitHub checks both branches exist before anything else: a head or base it cannot find is a 422 on that field.
            foreach (var (field, branch) in new[] { ("head", head), ("base", @base) })
            {
                if (branch is null || await _repository.HeadAsync(branch, cancellationToken) is null)
                {
                    return Validation("", field: field);
                }
            }

            var pull = Change(s =>
            {
                if (s.Issues.Any(i => i.IsPullRequest && i.Head == head && i.State == "open"))
                {
                    return null;
                }

                var opened = new LocalIssue
                {
                    Number = s.NextNumber++,
                    Title = title,
                    Body = sent["body"]?.GetValue<string>() ?? "",
                    Author = BotLogin,
                    Head = head,
                    Base = @base,
                    Draft = sent["draft"]?.GetValue<bool>() ?? false,
                    CreatedAt = DateTimeOffset.UtcNow,
                };
                s.Issues.Add(opened);
                return opened;
            });
            return pull is null
                ? Validation($"A pull request already exists for {Owner}:{head}.")
                : Results.Json(await PullJsonAsync(pull, cancellationToken), statusCode: 201);
        });
        app.MapGet(Prefix + "/pulls/{number:int}", async (int number, CancellationToken cancellationToken) =>
            Find(number) is { IsPullRequest: true } pull ? Results.Json(await PullJsonAsync(pull, cancellationToken)) : Error(404, "Not Found", "/pulls/pulls#get-a-pull-request"));
        app.MapPatch(Prefix + "/pulls/{number:int}", async (HttpRequest request, int number, CancellationToken cancellationToken) =>
        {
            var sent = await BodyAsync(request);
            var pull = Change(s =>
            {
                if (s.Find(number) is not { IsPullRequest: true } found)
                {
                    return null;
                }

                found.Title = sent["title"]?.GetValue<string>() ?? found.Title;
                found.Body = sent["body"]?.GetValue<string>() ?? found.Body;
                found.State = sent["state"]?.GetValue<string>() ?? found.State;
                return found;
            });
            return pull is null ? Error(404, "Not Found", "/pulls/pulls#update-a-pull-request") : Results.Json(await PullJsonAsync(pull, cancellationToken));
        });
        app.MapGet(Prefix + "/pulls/{number:int}/reviews", () => Results.Json(new JsonArray()));
        app.MapPost(Prefix + "/pulls/{number:int}/requested_reviewers", async (int number, CancellationToken cancellationToken) =>
            Find(number) is { IsPullRequest: true } pull ? Results.Json(await PullJsonAsync(pull, cancellationToken), statusCode: 201) : Error(404, "Not Found"));
        app.MapPut(Prefix + "/pulls/{number:int}/merge", async (HttpRequest request, int number, CancellationToken cancellationToken) =>
        {
            var sent = await BodyAsync(request);
            if (Find(number) is not { IsPullRequest: true, State: "open" } pull)
            {
                return Error(405, "Pull Request is not mergeable", "/pulls/pulls#merge-a-pull-request");
            }

            // GitHub refuses when the sha parameter is not the head: the branch moved since the approval.
            var head = await _repository.HeadAsync(pull.Head!, cancellationToken);
            if (head is null || (sent["sha"]?.GetValue<string>() is { } sha && sha != head))
            {
                return Error(409, "Head branch was modified. Review and try the merge again.", "/pulls/pulls#merge-a-pull-request");
            }

            var title = sent["commit_title"]?.GetValue<string>() ?? $"{pull.Title} (#{pull.Number})";
            var message = sent["commit_message"]?.GetValue<string>() is { Length: > 0 } text ? $"{title}\n\n{text}\n" : $"{title}\n";
            var merge = await _repository.SquashAsync(head, pull.Base!, message, User, cancellationToken);
            if (merge.Sha is null)
            {
                return Error(merge.IsConflict ? 405 : 409, merge.Reason!, "/pulls/pulls#merge-a-pull-request");
            }

            Change(s =>
            {
                var merged = s.Find(number)!;
                merged.State = "closed";
                merged.Merged = true;
                merged.MergeCommitSha = merge.Sha;
                return merged;
            });
            return Results.Json(new JsonObject { ["sha"] = merge.Sha, ["merged"] = true, ["message"] = "Pull Request successfully merged" });
        });
        app.MapDelete(Prefix + "/git/refs/heads/{**branch}", async (string branch, CancellationToken cancellationToken) =>
            await _repository.DeleteBranchAsync(branch, cancellationToken) ? Results.NoContent() : Validation("Reference does not exist", "Reference"));
    }
}
