using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>
/// Pull requests, check runs, commit statuses and labels, with state: a created pull request is listed, found by its head
/// branch, updated and labelled, the way GitHub answers (bodies from the REST examples, errors in GitHub's error shapes).
/// </summary>
public sealed partial class GitHubStub
{
    private readonly Lock _state = new();
    private readonly Dictionary<int, StubPullRequest> _pulls = [];
    private readonly Dictionary<int, List<string>> _labels = [];
    private int _nextPull = 1346;

    /// <summary>Every pull request, in the order they were opened.</summary>
    public IReadOnlyList<StubPullRequest> PullRequests
    {
        get
        {
            lock (_state)
            {
                return _pulls.Values.OrderBy(p => p.Number).ToList();
            }
        }
    }

    /// <summary>Where the stub reads a branch's head SHA from (the real bare repository), so PR answers carry it.</summary>
    public Func<string, string?>? BranchHead { get; set; }


    /// <summary>Merges the stub accepted (<c>PUT .../pulls/N/merge</c> answered 200).</summary>
    public IReadOnlyList<RecordedRequest> Merges() => Requests("PUT", "/repos/*/*/pulls/*/merge").Where(r => r.Status == 200).ToList();

    /// <summary>The labels on an issue or pull request.</summary>
    public IReadOnlyList<string> Labels(int number)
    {
        lock (_state)
        {
            return _labels.TryGetValue(number, out var labels) ? labels.ToList() : [];
        }
    }

    /// <summary>Check runs GitHub accepted (201), as sent.</summary>
    public IReadOnlyList<JsonNode> CheckRuns() => Accepted("POST", "/repos/*/*/check-runs");

    /// <summary>Commit statuses GitHub accepted (201), as sent.</summary>
    public IReadOnlyList<JsonNode> Statuses() => Accepted("POST", "/repos/*/*/statuses/*");

    /// <summary>An open pull request that exists before the test acts, e.g. one an earlier attempt opened.</summary>
    public StubPullRequest OpenPullRequest(string owner, string repo, string head, string body = "", bool draft = false, params string[] labels) =>
        OpenPullRequestBy(AtomLogin, owner, repo, head, body, draft, labels);

    /// <summary>An open pull request opened by <paramref name="author"/> before the test acts.</summary>
    public StubPullRequest OpenPullRequestBy(string author, string owner, string repo, string head, string body = "", bool draft = false, params string[] labels)
    {
        lock (_state)
        {
            var pull = new StubPullRequest(++_nextPull, owner, repo, "Existing", body, head, "main", draft, "open", false, author);
            _pulls[pull.Number] = pull;
            _labels[pull.Number] = [.. labels];
            return pull;
        }
    }

    /// <summary>Changes a pull request as someone on GitHub could (its base, author or head repository), for the next answers.</summary>
    public void ChangePullRequest(int number, Func<StubPullRequest, StubPullRequest> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_state)
        {
            _pulls[number] = change(_pulls[number]);
        }
    }

    public void ClosePullRequest(int number, bool merged)
    {
        lock (_state)
        {
            _pulls[number] = _pulls[number] with { State = "closed", Merged = merged };
        }
    }

    /// <summary>Answers check run creation the way GitHub answers a personal access token: 403, only GitHub Apps may.</summary>
    public void RefuseCheckRuns() =>
        Server.Given(Request.Create().UsingPost().WithPath(new WildcardMatcher($"{Prefix}/repos/*/*/check-runs"))).AtPriority(DefaultPriority - 10)
            .RespondWith(Response.Create().WithCallback(_ => Json(403, Error("Resource not accessible by personal access token", "checks/runs#create-a-check-run", 403))));

    /// <summary>Answers a draft pull request the way a private repository on GitHub Free does: 422.</summary>
    public void RefuseDraftPullRequests() =>
        Server.Given(Request.Create().UsingPost().WithPath(new RegexMatcher($@"^{Prefix}/repos/[^/]+/[^/]+/pulls$"))
                .WithBody(new JsonPartialMatcher("""{"draft":true}""")))
            .AtPriority(DefaultPriority - 10)
            .RespondWith(Response.Create().WithCallback(_ => Json(422, ValidationError("Draft pull requests are not supported in this repository."))));

    private void ServePullRequests()
    {
        lock (_state)
        {
            _pulls.Clear();
            _labels.Clear();
        }

        const string Repo = $"^{Prefix}/repos/(?<owner>[^/]+)/(?<repo>[^/]+)";
        Server.Given(Request.Create().UsingGet().WithPath(new RegexMatcher(Repo + "/pulls$"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var (owner, repo) = OwnerAndRepo(request.Path);
                var head = Query(request, "head");
                var state = Query(request, "state") ?? "open";
                var list = new JsonArray();
                foreach (var pull in PullRequests.Where(p => p.Owner == owner && p.Repo == repo
                             && (head is null || $"{p.Owner}:{p.Head}" == head) && (state == "all" || p.State == state)))
                {
                    list.Add(PullJson("pulls_list.200", pull, single: false));
                }

                return Json(200, list);
            }));
        Server.Given(Request.Create().UsingPut().WithPath(new RegexMatcher(Repo + @"/pulls/\d+/merge$"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var number = Number(request.Path, 2);
                var sent = JsonNode.Parse(request.Body ?? "{}")!;
                lock (_state)
                {
                    if (!_pulls.TryGetValue(number, out var pull) || pull.State != "open")
                    {
                        return Json(405, Fixtures.Rest("pulls_merge.405"));
                    }

                    // GitHub refuses what the base branch's rules do not allow yet (GitHubStub.Rules), with its own words.
                    if (RulesRefusal(number, sent["sha"]?.GetValue<string>()) is { } refusal)
                    {
                        var refused = Fixtures.Rest("pulls_merge.405").AsObject();
                        refused["message"] = refusal;
                        return Json(405, refused);
                    }

                    // GitHub refuses when the sha parameter is not the head (the branch moved since the approval).
                    if (sent["sha"]?.GetValue<string>() is { } sha && BranchHead?.Invoke(pull.Head) is { } head && sha != head)
                    {
                        return Json(409, Fixtures.Rest("pulls_merge.409"));
                    }

                    _pulls[number] = pull with { State = "closed", Merged = true };
                    var body = Fixtures.Rest("pulls_merge.200").AsObject();
                    body["sha"] = "6dcb09b5b57875f334f61aebed695e2e41" + number.ToString("000000", System.Globalization.CultureInfo.InvariantCulture);
                    return Json(200, body);
                }
            }));
        Server.Given(Request.Create().UsingDelete().WithPath(new RegexMatcher(Repo + "/git/refs/heads/.+$"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithStatusCode(204));
        Server.Given(Request.Create().UsingPost().WithPath(new RegexMatcher(Repo + "/pulls$"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var (owner, repo) = OwnerAndRepo(request.Path);
                var sent = JsonNode.Parse(request.Body!)!;
                var head = sent["head"]!.GetValue<string>();
                lock (_state)
                {
                    // GitHub checks both branches exist before anything else: a head or base it cannot find is a 422 on that field.
                    foreach (var (field, branch) in new[] { ("head", head), ("base", sent["base"]!.GetValue<string>()) })
                    {
                        if (BranchHead is not null && BranchHead(branch) is null)
                        {
                            return Json(422, InvalidField("PullRequest", field, "pulls/pulls#create-a-pull-request"));
                        }
                    }

                    if (_pulls.Values.Any(p => p.Owner == owner && p.Repo == repo && p.Head == head && p.State == "open"))
                    {
                        return Json(422, ValidationError($"A pull request already exists for {owner}:{head}."));
                    }

                    var pull = new StubPullRequest(++_nextPull, owner, repo, sent["title"]!.GetValue<string>(), sent["body"]?.GetValue<string>() ?? "",
                        head, sent["base"]!.GetValue<string>(), sent["draft"]?.GetValue<bool>() ?? false, "open", false, AtomLogin);
                    _pulls[pull.Number] = pull;
                    _labels[pull.Number] = [];
                    return Json(201, PullJson("pulls_create.201", pull));
                }
            }));
        Server.Given(Request.Create().UsingGet().WithPath(new RegexMatcher(Repo + @"/pulls/\d+$"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request =>
                Pull(request.Path) is { } pull ? Json(200, PullJson("pulls_get.200", pull)) : Json(404, Error("Not Found", "pulls/pulls#get-a-pull-request", 404))));
        Server.Given(Request.Create().UsingPatch().WithPath(new RegexMatcher(Repo + @"/pulls/\d+$"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var sent = JsonNode.Parse(request.Body!)!;
                lock (_state)
                {
                    if (Pull(request.Path) is not { } pull)
                    {
                        return Json(404, Error("Not Found", "pulls/pulls#update-a-pull-request", 404));
                    }

                    pull = pull with
                    {
                        Title = sent["title"]?.GetValue<string>() ?? pull.Title,
                        Body = sent["body"]?.GetValue<string>() ?? pull.Body,
                        State = sent["state"]?.GetValue<string>() ?? pull.State,
                    };
                    _pulls[pull.Number] = pull;
                    return Json(200, PullJson("pulls_update.200", pull));
                }
            }));
        Server.Given(Request.Create().UsingPost().WithPath("/api/graphql")).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                // Atom sends one mutation on one pull request id; the answer mirrors the query, as GraphQL answers do.
                var query = JsonNode.Parse(request.Body!)!["query"]!.GetValue<string>();
                var match = Regex.Match(query, @"(?<mutation>convertPullRequestToDraft|markPullRequestReadyForReview)\(input: \{pullRequestId: ""PR_stub(?<number>\d+)""\}\)");
                if (!match.Success)
                {
                    return Json(200, JsonNode.Parse("""{"errors":[{"message":"Could not resolve to a node"}]}""")!);
                }

                var draft = match.Groups["mutation"].Value == "convertPullRequestToDraft";
                lock (_state)
                {
                    var number = int.Parse(match.Groups["number"].Value, System.Globalization.CultureInfo.InvariantCulture);
                    _pulls[number] = _pulls[number] with { Draft = draft };
                }

                return Json(200, new JsonObject { ["data"] = new JsonObject { [match.Groups["mutation"].Value] = new JsonObject { ["pullRequest"] = new JsonObject { ["isDraft"] = draft } } } });
            }));
        Server.Given(Request.Create().UsingPost().WithPath(new RegexMatcher(Repo + "/check-runs$"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var sent = JsonNode.Parse(request.Body!)!;
                var run = Fixtures.Rest("checks_create.201.example-of-completed-conclusion").AsObject();
                run["id"] = Interlocked.Increment(ref _nextId);
                run["name"] = sent["name"]!.GetValue<string>();
                run["head_sha"] = sent["head_sha"]!.GetValue<string>();
                run["status"] = sent["status"]?.GetValue<string>() ?? "queued";
                run["conclusion"] = sent["conclusion"]?.GetValue<string>();
                run["details_url"] = sent["details_url"]?.GetValue<string>();
                run["output"]!["title"] = sent["output"]?["title"]?.GetValue<string>();
                run["output"]!["summary"] = sent["output"]?["summary"]?.GetValue<string>();
                return Json(201, run);
            }));
        Server.Given(Request.Create().UsingPost().WithPath(new RegexMatcher(Repo + "/statuses/[0-9a-f]{40}$"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var sent = JsonNode.Parse(request.Body!)!;
                var status = Fixtures.Rest("repos_create-commit-status.201").AsObject();
                status["id"] = Interlocked.Increment(ref _nextId);
                status["url"] = $"https://api.github.com/repos/{string.Join('/', OwnerAndRepo(request.Path))}/statuses/{request.Path.Split('/')[^1]}";
                status["state"] = sent["state"]!.GetValue<string>();
                status["description"] = sent["description"]?.GetValue<string>();
                status["target_url"] = sent["target_url"]?.GetValue<string>();
                status["context"] = sent["context"]?.GetValue<string>() ?? "default";
                return Json(201, status);
            }));
        Server.Given(Request.Create().UsingPost().WithPath(new RegexMatcher(Repo + @"/issues/\d+/labels$"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var number = Number(request.Path, 2);
                var sent = JsonNode.Parse(request.Body!)!;
                var names = (sent as JsonArray ?? sent["labels"]!.AsArray()).Select(n => n!.GetValue<string>());
                lock (_state)
                {
                    var labels = _labels.TryGetValue(number, out var existing) ? existing : _labels[number] = [];
                    labels.AddRange(names.Where(n => !labels.Contains(n)));
                    return Json(200, LabelsJson("issues_add-labels.200", labels));
                }
            }));
        Server.Given(Request.Create().UsingDelete().WithPath(new RegexMatcher(Repo + @"/issues/\d+/labels/[^/]+$"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var number = Number(request.Path, 3);
                var name = Uri.UnescapeDataString(request.Path.Split('/')[^1]);
                lock (_state)
                {
                    if (!_labels.TryGetValue(number, out var labels) || !labels.Remove(name))
                    {
                        return Json(404, Error("Label does not exist", "issues/labels#remove-a-label-from-an-issue", 404));
                    }

                    return Json(200, LabelsJson("issues_remove-label.200", labels));
                }
            }));
    }

    private List<JsonNode> Accepted(string method, string pathPattern) =>
        Requests(method, pathPattern).Where(r => r.Status == 201).Select(r => JsonNode.Parse(r.Body!)!).ToList();

    private StubPullRequest? Pull(string path)
    {
        lock (_state)
        {
            return _pulls.GetValueOrDefault(Number(path, 1));
        }
    }

    private JsonObject PullJson(string example, StubPullRequest pull, bool single = true)
    {
        var json = (single ? Fixtures.Rest(example) : Fixtures.Rest(example).AsArray()[0]!).DeepClone().AsObject();
        var api = $"https://api.github.com/repos/{pull.Owner}/{pull.Repo}";
        json["url"] = $"{api}/pulls/{pull.Number}";
        json["id"] = pull.Number;
        json["node_id"] = pull.NodeId;
        json["html_url"] = pull.HtmlUrl;
        json["issue_url"] = $"{api}/issues/{pull.Number}";
        json["number"] = pull.Number;
        json["state"] = pull.State;
        json["title"] = pull.Title;
        json["body"] = pull.Body;
        json["draft"] = pull.Draft;
        json["merged_at"] = pull.Merged ? "2011-01-26T19:01:12Z" : null;
        json["closed_at"] = pull.State == "closed" ? "2011-01-26T19:01:12Z" : null;
        json["head"]!["ref"] = pull.Head;
        if (BranchHead?.Invoke(pull.Head) is { } sha)
        {
            json["head"]!["sha"] = sha;
        }

        json["head"]!["label"] = $"{pull.Owner}:{pull.Head}";
        json["base"]!["ref"] = pull.Base;
        json["user"]!["login"] = pull.Author;
        json["user"]!["id"] = TestAccounts.UserId(pull.Author);
        json["user"]!["type"] = pull.Author.EndsWith("[bot]", StringComparison.Ordinal) ? "Bot" : "User";
        if (pull.HeadRepositoryId is { } headRepository)
        {
            json["head"]!["repo"]!["id"] = headRepository;
        }

        json["labels"] = LabelsJson("issues_add-labels.200", Labels(pull.Number));
        if (single)
        {
            json["merged"] = pull.Merged;
        }

        return json;
    }

    private static JsonArray LabelsJson(string example, IEnumerable<string> names)
    {
        var template = Fixtures.Rest(example).AsArray()[0]!;
        var array = new JsonArray();
        foreach (var name in names)
        {
            var label = template.DeepClone().AsObject();
            label["name"] = name;
            label["url"] = $"https://api.github.com/repos/octocat/Hello-World/labels/{Uri.EscapeDataString(name)}";
            array.Add(label);
        }

        return array;
    }

    private static JsonObject Error(string message, string documentation, int status) => new()
    {
        ["message"] = message,
        ["documentation_url"] = $"https://docs.github.com/rest/{documentation}",
        ["status"] = status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static JsonObject ValidationError(string message) => new()
    {
        ["message"] = "Validation Failed",
        ["errors"] = new JsonArray(new JsonObject { ["resource"] = "PullRequest", ["code"] = "custom", ["message"] = message }),
        ["documentation_url"] = "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
        ["status"] = "422",
    };

    private static JsonObject InvalidField(string resource, string field, string documentation) => new()
    {
        ["message"] = "Validation Failed",
        ["errors"] = new JsonArray(new JsonObject { ["resource"] = resource, ["field"] = field, ["code"] = "invalid" }),
        ["documentation_url"] = $"https://docs.github.com/rest/{documentation}",
        ["status"] = "422",
    };

    private static (string Owner, string Repo) OwnerAndRepo(string path)
    {
        var parts = path[(Prefix.Length + "/repos/".Length)..].Split('/');
        return (parts[0], parts[1]);
    }

    /// <summary>The number that sits <paramref name="fromEnd"/> segments before the end of the path.</summary>
    private static int Number(string path, int fromEnd) =>
        int.Parse(path.Split('/')[^fromEnd], System.Globalization.CultureInfo.InvariantCulture);

    private static string? Query(WireMock.IRequestMessage request, string name) =>
        request.Query is { } query && query.TryGetValue(name, out var values) ? values.FirstOrDefault() : null;
}
