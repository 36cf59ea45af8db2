using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>
/// Reviewing on GitHub: review requests, a review's line comments, replies in a thread, CODEOWNERS on the default branch
/// and an organisation's team members. The shared fixtures have no examples of these endpoints' answers, so each is built
/// from the real shapes they share (GitHub documents them so): a review request answers the pull request
/// (<c>pulls_get.200</c>), a review comment or a reply is the comment of the <c>pull_request_review_comment</c> webhook
/// example, a team member is a simple user as <c>pulls_get.200</c>'s <c>user</c>.
/// </summary>
public sealed partial class GitHubStub
{
    private readonly ConcurrentDictionary<long, JsonArray> _reviewComments = new();
    private readonly ConcurrentDictionary<string, string[]> _teams = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, bool> _notCollaborators = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, string> _codeOwners = new(StringComparer.Ordinal);

    /// <summary>The logins Atom asked reviews from (accepted requests), in order.</summary>
    public IReadOnlyList<string> RequestedReviewers() =>
        Requests("POST", "/repos/*/*/pulls/*/requested_reviewers").Where(r => r.Status == 201)
            .SelectMany(r => JsonNode.Parse(r.Body!)!["reviewers"]?.AsArray().Select(n => n!.GetValue<string>()) ?? []).ToList();

    /// <summary>The replies GitHub accepted in the thread of review comment <paramref name="commentId"/>.</summary>
    public IReadOnlyList<string> ThreadReplies(long commentId) =>
        Requests("POST", $"/repos/*/*/pulls/*/comments/{commentId}/replies").Where(r => r.Status == 201)
            .Select(r => JsonNode.Parse(r.Body!)!["body"]!.GetValue<string>()).ToList();

    /// <summary>GitHub refuses a review request for <paramref name="login"/> with 422, as for someone who is not a collaborator.</summary>
    public void NotACollaborator(string login) => _notCollaborators[login] = true;

    /// <summary>The line comments <c>GET /pulls/{n}/reviews/{review_id}/comments</c> answers for this review.</summary>
    public void ReviewComments(long reviewId, params (long Id, string Path, int Line, string DiffHunk, string Body)[] comments)
    {
        var list = new JsonArray();
        foreach (var c in comments)
        {
            var comment = ReviewCommentJson(c.Id, c.Body);
            comment["pull_request_review_id"] = reviewId;
            comment["path"] = c.Path;
            comment["line"] = c.Line;
            comment["original_line"] = c.Line;
            comment["diff_hunk"] = c.DiffHunk;
            list.Add(comment);
        }

        _reviewComments[reviewId] = list;
    }

    /// <summary>Serves a CODEOWNERS file at <paramref name="location"/> of the default branch.</summary>
    public void CodeOwners(string text, string location = ".github/CODEOWNERS") => _codeOwners[location] = text;

    /// <summary>The members <c>GET /orgs/{org}/teams/{team_slug}/members</c> answers for <c>org/slug</c>.</summary>
    public void Team(string team, params string[] members) => _teams[team] = members;

    private void ServeReviews()
    {
        _reviewComments.Clear();
        _teams.Clear();
        _notCollaborators.Clear();
        _codeOwners.Clear();
        const string Repo = $"^{Prefix}/repos/(?<owner>[^/]+)/(?<repo>[^/]+)";
        Server.Given(Request.Create().UsingPost().WithPath(new RegexMatcher(Repo + @"/pulls/\d+/requested_reviewers$"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var reviewers = JsonNode.Parse(request.Body!)!["reviewers"]?.AsArray().Select(n => n!.GetValue<string>()).ToList() ?? [];
                if (reviewers.Any(_notCollaborators.ContainsKey))
                {
                    var (owner, repo) = OwnerAndRepo(request.Path);
                    return Json(422, new JsonObject
                    {
                        ["message"] = $"Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the {owner}/{repo} repository.",
                        ["documentation_url"] = "https://docs.github.com/rest/pulls/review-requests#request-reviewers-for-a-pull-request",
                        ["status"] = "422",
                    });
                }

                if (Pull(request.Path.Replace("/requested_reviewers", "", StringComparison.Ordinal)) is not { } pull)
                {
                    return Json(404, Error("Not Found", "pulls/review-requests#request-reviewers-for-a-pull-request", 404));
                }

                var body = PullJson("pulls_get.200", pull);
                body["requested_reviewers"] = new JsonArray([.. reviewers.Select(SimpleUser)]);
                return Json(201, body);
            }));
        Server.Given(Request.Create().UsingGet().WithPath(new RegexMatcher(Repo + @"/pulls/\d+/reviews/\d+/comments$"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request =>
                Json(200, _reviewComments.TryGetValue(Number(request.Path, 2), out var list) ? list.DeepClone() : new JsonArray())));
        Server.Given(Request.Create().UsingPost().WithPath(new RegexMatcher(Repo + @"/pulls/\d+/comments/\d+/replies$"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var reply = ReviewCommentJson(Interlocked.Increment(ref _nextId), JsonNode.Parse(request.Body!)!["body"]!.GetValue<string>());
                reply["in_reply_to_id"] = Number(request.Path, 2);
                reply["user"]!["login"] = AtomLogin;
                return Json(201, reply);
            }));
        Server.Given(Request.Create().UsingGet().WithPath(new RegexMatcher($"^{Prefix}/orgs/[^/]+/teams/[^/]+/members$"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var parts = request.Path.Split('/');
                return _teams.TryGetValue($"{parts[^4]}/{parts[^2]}", out var members)
                    ? Json(200, new JsonArray([.. members.Select(SimpleUser)]))
                    : Json(404, Error("Not Found", "teams/members#list-team-members", 404));
            }));
        Server.Given(Request.Create().UsingGet().WithPath(new RegexMatcher(Repo + "/contents/(?<path>(?:\\.github/|docs/)?CODEOWNERS)$"))).AtPriority(DefaultPriority)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var path = request.Path[(request.Path.IndexOf("/contents/", StringComparison.Ordinal) + "/contents/".Length)..];
                if (!_codeOwners.TryGetValue(path, out var text))
                {
                    return Json(404, Error("Not Found", "repos/contents#get-repository-content", 404));
                }

                var body = Fixtures.Rest("repos_get-content.200.response-if-content-is-a-file").AsObject();
                body["name"] = "CODEOWNERS";
                body["path"] = path;
                body["size"] = Encoding.UTF8.GetByteCount(text);
                body["content"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
                return Json(200, body);
            }));
    }

    private static JsonObject ReviewCommentJson(long id, string body)
    {
        var comment = Fixtures.Webhook("pull_request_review_comment", "created")["comment"]!.DeepClone().AsObject();
        comment["id"] = id;
        comment["body"] = body;
        comment["in_reply_to_id"] = null;
        return comment;
    }

    private static JsonObject SimpleUser(string login)
    {
        var user = Fixtures.Rest("pulls_get.200")["user"]!.DeepClone().AsObject();
        user["login"] = login;
        user["id"] = TestAccounts.UserId(login);
        user["type"] = "User";
        return user;
    }
}
