using System.Text.Json.Nodes;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>Issues Atom opens and edits (proposals, the proposals dashboard), with state, answered from GitHub's example issue.</summary>
public sealed partial class GitHubStub
{
    private readonly Dictionary<int, StubIssue> _issues = [];
    private int _nextIssue = 500;

    /// <summary>Every issue opened through the API, in the order they were opened.</summary>
    public IReadOnlyList<StubIssue> Issues
    {
        get
        {
            lock (_state)
            {
                return _issues.Values.OrderBy(i => i.Number).Select(i => i with { Labels = _labels.TryGetValue(i.Number, out var labels) ? labels.ToList() : [] }).ToList();
            }
        }
    }

    private void ServeIssues()
    {
        lock (_state)
        {
            _issues.Clear();
        }

        const string Repo = $"^{Prefix}/repos/(?<owner>[^/]+)/(?<repo>[^/]+)";
        Server.Given(Request.Create().UsingPost().WithPath(new RegexMatcher(Repo + "/issues$"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var (owner, repo) = OwnerAndRepo(request.Path);
                var sent = JsonNode.Parse(request.Body!)!;
                lock (_state)
                {
                    var issue = new StubIssue(++_nextIssue, owner, repo, sent["title"]!.GetValue<string>(), sent["body"]?.GetValue<string>() ?? "", "open", [], 0);
                    _issues[issue.Number] = issue;
                    _labels[issue.Number] = (sent["labels"]?.AsArray() ?? []).Select(l => l!.GetValue<string>()).ToList();
                    return Json(201, IssueJson(issue));
                }
            }));
        Server.Given(Request.Create().UsingPatch().WithPath(new RegexMatcher(Repo + @"/issues/\d+$"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var sent = JsonNode.Parse(request.Body!)!;
                lock (_state)
                {
                    if (!_issues.TryGetValue(Number(request.Path, 1), out var issue))
                    {
                        return Json(404, Error("Not Found", "issues/issues#update-an-issue", 404));
                    }

                    issue = issue with
                    {
                        Title = sent["title"]?.GetValue<string>() ?? issue.Title,
                        Body = sent["body"]?.GetValue<string>() ?? issue.Body,
                        State = sent["state"]?.GetValue<string>() ?? issue.State,
                        Edits = issue.Edits + 1,
                    };
                    _issues[issue.Number] = issue;
                    return Json(200, IssueJson(issue));
                }
            }));
    }

    private JsonObject IssueJson(StubIssue issue)
    {
        var json = Fixtures.Rest("issues_get.200.default").DeepClone().AsObject();
        json["id"] = issue.Number;
        json["number"] = issue.Number;
        json["node_id"] = $"I_stub{issue.Number}";
        json["title"] = issue.Title;
        json["body"] = issue.Body;
        json["state"] = issue.State;
        json["pull_request"] = null;
        json["url"] = $"https://api.github.com/repos/{issue.Owner}/{issue.Repo}/issues/{issue.Number}";
        json["html_url"] = $"https://github.com/{issue.Owner}/{issue.Repo}/issues/{issue.Number}";
        json["labels"] = LabelsJson("issues_add-labels.200", _labels.TryGetValue(issue.Number, out var labels) ? labels : []);
        return json;
    }
}
