using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>
/// What protects the default branch, the way GitHub answers it: the rules of its rulesets
/// (<c>GET /rules/branches/{branch}</c>: a list of <c>{type, ruleset_source_type, ruleset_source, ruleset_id, parameters}</c>),
/// classic branch protection (404 "Branch not protected" unless set), check runs and commit statuses of a commit, the
/// pull request's reviews, the GraphQL merge queue mutations, and a merge refused with GitHub's 405 messages when a rule
/// is not met. With nothing set, every read is a 404 and merges go through as before.
/// </summary>
public sealed partial class GitHubStub
{
    private const string FixtureRepository = "Codertocat/Hello-World";
    private readonly List<JsonObject> _rules = [];
    private readonly List<(string Sha, string Name, string Status, string? Conclusion, int Id)> _checkRuns = [];
    private readonly List<(string Sha, string Context, string State, int Id)> _commitStatuses = [];
    private readonly List<(int Pull, string Login, string State, string CommitId, int Id)> _reviews = [];
    private JsonObject? _classicProtection;

    /// <summary>The error GraphQL answers <c>enqueuePullRequest</c> with, as <c>{"errors":[{"type", "message"}]}</c>; null: it queues.</summary>
    public (string Type, string Message)? EnqueueError { get; set; }

    /// <summary>Pull request numbers in the merge queue.</summary>
    public HashSet<int> Queued { get; } = [];

    /// <summary>A ruleset rule on the default branch, as GitHub lists it for the branch.</summary>
    public void Rule(string type, JsonObject? parameters = null, long rulesetId = 42)
    {
        var rule = new JsonObject
        {
            ["type"] = type,
            ["ruleset_source_type"] = "Repository",
            ["ruleset_source"] = FixtureRepository,
            ["ruleset_id"] = rulesetId,
        };
        if (parameters is not null)
        {
            rule["parameters"] = parameters;
        }

        lock (_state)
        {
            _rules.Add(rule);
        }
    }

    public void RequireMergeQueue() => Rule("merge_queue", new JsonObject
    {
        ["check_response_timeout_minutes"] = 60,
        ["grouping_strategy"] = "ALLGREEN",
        ["max_entries_to_build"] = 5,
        ["max_entries_to_merge"] = 5,
        ["merge_method"] = "SQUASH",
        ["min_entries_to_merge"] = 1,
        ["min_entries_to_merge_wait_minutes"] = 5,
    });

    public void RequireStatusChecks(params string[] contexts) => Rule("required_status_checks", new JsonObject
    {
        ["strict_required_status_checks_policy"] = false,
        ["required_status_checks"] = new JsonArray(contexts.Select(c => (JsonNode)new JsonObject { ["context"] = c }).ToArray()),
    });

    public void RequireApprovingReviews(int count, bool codeOwners = false) => Rule("pull_request", new JsonObject
    {
        ["required_approving_review_count"] = count,
        ["dismiss_stale_reviews_on_push"] = true,
        ["require_code_owner_review"] = codeOwners,
        ["require_last_push_approval"] = false,
        ["required_review_thread_resolution"] = false,
    });

    /// <summary>Classic branch protection, shaped like <c>GET /branches/{branch}/protection</c>.</summary>
    public void ClassicProtection(string[] requiredContexts, int requiredReviews = 0)
    {
        var protection = new JsonObject
        {
            ["url"] = "https://api.github.com/repos/Codertocat/Hello-World/branches/main/protection",
            ["required_status_checks"] = new JsonObject
            {
                ["url"] = "https://api.github.com/repos/Codertocat/Hello-World/branches/main/protection/required_status_checks",
                ["strict"] = false,
                ["contexts"] = new JsonArray(requiredContexts.Select(c => (JsonNode)JsonValue.Create(c)).ToArray()),
                ["checks"] = new JsonArray(requiredContexts.Select(c => (JsonNode)new JsonObject { ["context"] = c, ["app_id"] = null }).ToArray()),
                ["contexts_url"] = "https://api.github.com/repos/Codertocat/Hello-World/branches/main/protection/required_status_checks/contexts",
            },
            ["enforce_admins"] = new JsonObject { ["url"] = "https://api.github.com/repos/Codertocat/Hello-World/branches/main/protection/enforce_admins", ["enabled"] = false },
            ["required_signatures"] = new JsonObject { ["url"] = "https://api.github.com/repos/Codertocat/Hello-World/branches/main/protection/required_signatures", ["enabled"] = false },
        };
        if (requiredReviews > 0)
        {
            protection["required_pull_request_reviews"] = new JsonObject
            {
                ["url"] = "https://api.github.com/repos/Codertocat/Hello-World/branches/main/protection/required_pull_request_reviews",
                ["dismiss_stale_reviews"] = false,
                ["require_code_owner_reviews"] = false,
                ["required_approving_review_count"] = requiredReviews,
                ["require_last_push_approval"] = false,
            };
        }

        lock (_state)
        {
            _classicProtection = protection;
        }
    }

    /// <summary>Classic protection answers 403, as GitHub does to a token without Administration read.</summary>
    public bool ProtectionForbidden { get; set; }

    /// <summary>A check run on <paramref name="sha"/> (a later one of the same name is newer).</summary>
    public void CheckRun(string sha, string name, string status, string? conclusion = null)
    {
        lock (_state)
        {
            _checkRuns.Add((sha, name, status, conclusion, Interlocked.Increment(ref _nextId)));
        }
    }

    public void CommitStatus(string sha, string context, string state)
    {
        lock (_state)
        {
            _commitStatuses.Add((sha, context, state, Interlocked.Increment(ref _nextId)));
        }
    }

    /// <summary>A pull request review, as <c>GET /pulls/{n}/reviews</c> lists it (the webhook is sent separately).</summary>
    public void Review(int pull, string login, string state, string commitId)
    {
        lock (_state)
        {
            _reviews.Add((pull, login, state, commitId, Interlocked.Increment(ref _nextId)));
        }
    }

    /// <summary>The GraphQL requests naming <paramref name="mutation"/>, as sent.</summary>
    public IReadOnlyList<JsonNode> GraphQl(string mutation) =>
        AllRequests().Where(r => r.Method == "POST" && r.Path == "/api/graphql").Select(r => JsonNode.Parse(r.Body!)!).Where(b => b["query"]!.GetValue<string>().Contains(mutation, StringComparison.Ordinal)).ToList();

    /// <summary>Every merge request GitHub refused (405/409), with its answer.</summary>
    public IReadOnlyList<RecordedRequest> RefusedMerges() => Requests("PUT", "/repos/*/*/pulls/*/merge").Where(r => r.Status != 200).ToList();

    /// <summary>Why GitHub would refuse to merge pull request <paramref name="number"/> at <paramref name="sha"/>, in its words; null when the rules are met.</summary>
    private string? RulesRefusal(int number, string? sha)
    {
        var types = _rules.Select(r => r["type"]!.GetValue<string>()).ToList();
        if (types.Contains("merge_queue"))
        {
            return "Changes must be made through the merge queue";
        }

        var reviews = _rules.Where(r => r["type"]!.GetValue<string>() == "pull_request")
            .Select(r => r["parameters"]!["required_approving_review_count"]!.GetValue<int>())
            .Append(_classicProtection?["required_pull_request_reviews"]?["required_approving_review_count"]?.GetValue<int>() ?? 0)
            .Max();
        if (reviews > 0 && ApprovingReviewers(number).Count < reviews)
        {
            return $"At least {reviews} approving review{(reviews == 1 ? " is" : "s are")} required by reviewers with write access.";
        }

        foreach (var context in RequiredContexts())
        {
            if (sha is null || CheckConclusion(sha, context) is not ("success" or "neutral" or "skipped"))
            {
                return $"Required status check \"{context}\" is expected.";
            }
        }

        return null;
    }

    private List<string> RequiredContexts() =>
        _rules.Where(r => r["type"]!.GetValue<string>() == "required_status_checks")
            .SelectMany(r => r["parameters"]!["required_status_checks"]!.AsArray().Select(c => c!["context"]!.GetValue<string>()))
            .Concat(_classicProtection?["required_status_checks"]?["contexts"]?.AsArray().Select(c => c!.GetValue<string>()) ?? [])
            .Distinct(StringComparer.Ordinal)
            .ToList();

    private List<string> ApprovingReviewers(int number) =>
        _reviews.Where(r => r.Pull == number).GroupBy(r => r.Login).Select(g => g.MaxBy(r => r.Id))
            .Where(r => r.State == "APPROVED").Select(r => r.Login).ToList();

    private string? CheckConclusion(string sha, string context)
    {
        var created = CheckRuns().Where(r => r["head_sha"]?.GetValue<string>() == sha && r["name"]?.GetValue<string>() == context).LastOrDefault();
        var run = _checkRuns.Where(r => r.Sha == sha && r.Name == context).OrderBy(r => r.Id).LastOrDefault();
        if (run.Name is not null)
        {
            return run.Status == "completed" ? run.Conclusion : null;
        }

        if (created is not null)
        {
            return created["conclusion"]?.GetValue<string>();
        }

        var status = _commitStatuses.Where(s => s.Sha == sha && s.Context == context).OrderBy(s => s.Id).LastOrDefault();
        return status.Context is null ? null : status.State;
    }

    private void ServeRules()
    {
        lock (_state)
        {
            _rules.Clear();
            _checkRuns.Clear();
            _commitStatuses.Clear();
            _reviews.Clear();
            _classicProtection = null;
            Queued.Clear();
        }

        EnqueueError = null;
        ProtectionForbidden = false;
        const string Repo = $"^{Prefix}/repos/(?<owner>[^/]+)/(?<repo>[^/]+)";
        Server.Given(Request.Create().UsingGet().WithPath(new RegexMatcher(Repo + "/rules/branches/[^/]+$"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(_ =>
            {
                lock (_state)
                {
                    return Json(200, new JsonArray(_rules.Select(r => r.DeepClone()).ToArray()));
                }
            }));
        Server.Given(Request.Create().UsingGet().WithPath(new RegexMatcher(Repo + "/branches/[^/]+/protection$"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(_ =>
            {
                lock (_state)
                {
                    if (ProtectionForbidden)
                    {
                        return Json(403, Error("Resource not accessible by integration", "branches/branch-protection#get-branch-protection", 403));
                    }

                    return _classicProtection is { } protection
                        ? Json(200, protection.DeepClone())
                        : Json(404, Error("Branch not protected", "branches/branch-protection#get-branch-protection", 404));
                }
            }));
        Server.Given(Request.Create().UsingGet().WithPath(new RegexMatcher(Repo + "/commits/[0-9a-f]{40}/check-runs$"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var sha = request.Path.Split('/')[^2];
                var runs = new JsonArray();
                lock (_state)
                {
                    // The runs Atom created (its atom/certification) and those the test set, as GitHub lists them.
                    var order = 0;
                    foreach (var created in CheckRuns().Where(r => r["head_sha"]?.GetValue<string>() == sha))
                    {
                        runs.Add(CheckRunJson(created["name"]!.GetValue<string>(), sha, created["status"]?.GetValue<string>() ?? "queued", created["conclusion"]?.GetValue<string>(), ++order));
                    }

                    foreach (var run in _checkRuns.Where(r => r.Sha == sha))
                    {
                        runs.Add(CheckRunJson(run.Name, sha, run.Status, run.Conclusion, run.Id));
                    }
                }

                return Json(200, new JsonObject { ["total_count"] = runs.Count, ["check_runs"] = runs });
            }));
        Server.Given(Request.Create().UsingGet().WithPath(new RegexMatcher(Repo + "/commits/[0-9a-f]{40}/status$"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var sha = request.Path.Split('/')[^2];
                var statuses = new JsonArray();
                lock (_state)
                {
                    foreach (var status in _commitStatuses.Where(s => s.Sha == sha))
                    {
                        var json = Fixtures.Rest("repos_create-commit-status.201").AsObject();
                        json["id"] = status.Id;
                        json["state"] = status.State;
                        json["context"] = status.Context;
                        statuses.Add(json);
                    }
                }

                var states = statuses.Select(s => s!["state"]!.GetValue<string>()).ToList();
                var combined = states.Any(s => s is "failure" or "error") ? "failure" : states.Count > 0 && states.All(s => s == "success") ? "success" : "pending";
                return Json(200, new JsonObject
                {
                    ["state"] = combined,
                    ["statuses"] = statuses,
                    ["sha"] = sha,
                    ["total_count"] = statuses.Count,
                    ["repository"] = Fixtures.Rest("repos_get.200"),
                    ["commit_url"] = $"https://api.github.com/repos/{FixtureRepository}/commits/{sha}",
                    ["url"] = $"https://api.github.com/repos/{FixtureRepository}/commits/{sha}/status",
                });
            }));
        Server.Given(Request.Create().UsingGet().WithPath(new RegexMatcher(Repo + @"/pulls/\d+/reviews$"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var number = Number(request.Path, 2);
                var template = Fixtures.Rest("pulls_list-reviews.200").AsArray()[0]!;
                var list = new JsonArray();
                lock (_state)
                {
                    foreach (var review in _reviews.Where(r => r.Pull == number).OrderBy(r => r.Id))
                    {
                        var json = template.DeepClone().AsObject();
                        json["id"] = review.Id;
                        json["user"]!["login"] = review.Login;
                        json["user"]!["id"] = TestAccounts.UserId(review.Login);
                        json["state"] = review.State;
                        json["commit_id"] = review.CommitId;
                        list.Add(json);
                    }
                }

                return Json(200, list);
            }));
        Server.Given(Request.Create().UsingPost().WithPath("/api/graphql").WithBody(new RegexMatcher("(enqueue|dequeue)PullRequest"))).AtPriority(DefaultPriority - 1)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var sent = JsonNode.Parse(request.Body!)!;
                var query = sent["query"]!.GetValue<string>();
                var variables = sent["variables"]!;
                var id = (variables["pullRequestId"] ?? variables["id"])!.GetValue<string>();
                var match = Regex.Match(id, @"^PR_stub(?<number>\d+)$");
                if (!match.Success)
                {
                    return Json(200, JsonNode.Parse($$"""{"errors":[{"type":"NOT_FOUND","path":["x"],"message":"Could not resolve to a node with the global id of '{{id}}'."}]}""")!);
                }

                var number = int.Parse(match.Groups["number"].Value, System.Globalization.CultureInfo.InvariantCulture);
                var mutation = query.Contains("enqueuePullRequest", StringComparison.Ordinal) ? "enqueuePullRequest" : "dequeuePullRequest";
                lock (_state)
                {
                    if (mutation == "enqueuePullRequest")
                    {
                        if (EnqueueError is { } error)
                        {
                            return Json(200, new JsonObject
                            {
                                ["data"] = new JsonObject { [mutation] = null },
                                ["errors"] = new JsonArray(new JsonObject { ["type"] = error.Type, ["path"] = new JsonArray(mutation), ["message"] = error.Message }),
                            });
                        }

                        // The queue holds GitHub to the head Atom certified: another head is refused.
                        var expected = variables["expectedHeadOid"]?.GetValue<string>();
                        if (_pulls.TryGetValue(number, out var pull) && expected is not null && BranchHead?.Invoke(pull.Head) is { } head && head != expected)
                        {
                            return Json(200, new JsonObject
                            {
                                ["data"] = new JsonObject { [mutation] = null },
                                ["errors"] = new JsonArray(new JsonObject { ["type"] = "UNPROCESSABLE", ["path"] = new JsonArray(mutation), ["message"] = "The expected head OID does not match the pull request's head." }),
                            });
                        }

                        Queued.Add(number);
                    }
                    else
                    {
                        Queued.Remove(number);
                    }
                }

                return Json(200, new JsonObject
                {
                    ["data"] = new JsonObject
                    {
                        [mutation] = new JsonObject { ["mergeQueueEntry"] = new JsonObject { ["id"] = $"MQE_stub{number}", ["position"] = 1, ["state"] = "QUEUED" } },
                    },
                });
            }));
    }

    private static JsonObject CheckRunJson(string name, string sha, string status, string? conclusion, int id)
    {
        var run = Fixtures.Rest("checks_create.201.example-of-completed-conclusion").AsObject();
        run["id"] = id;
        run["name"] = name;
        run["head_sha"] = sha;
        run["status"] = status;
        run["conclusion"] = conclusion;
        return run;
    }
}
