using System.Text.Json.Nodes;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>Webhook payloads from GitHub's examples, with the few fields a test cares about changed.</summary>
public static class Payloads
{
    public const string Repository = "Codertocat/Hello-World";
    public const string Labeller = "Codertocat";

    /// <summary>A remote that does not exist: tests that do not care about git never reach the network.</summary>
    public const string NoRemote = "file:///nonexistent/atom-tests/Hello-World.git";

    public static JsonObject Labeled(string label = "atom", string sender = Labeller, int issue = 1, string? title = null, string? body = null, long? installationId = null, string cloneUrl = NoRemote)
    {
        var payload = Fixtures.Webhook("issues", "labeled");
        payload["repository"]!["clone_url"] = cloneUrl;
        payload["label"]!["name"] = label;
        payload["issue"]!["number"] = issue;
        payload["sender"]!["login"] = sender;
        if (title is not null)
        {
            payload["issue"]!["title"] = title;
        }

        if (body is not null)
        {
            payload["issue"]!["body"] = body;
        }

        if (installationId is not null)
        {
            payload["installation"] = new JsonObject { ["id"] = installationId, ["node_id"] = "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
        }

        return payload;
    }

    public static JsonObject Unlabeled(string label = "atom", int issue = 1)
    {
        var payload = Fixtures.Webhook("issues", "unlabeled");
        payload["label"]!["name"] = label;
        payload["issue"]!["number"] = issue;
        return payload;
    }

    /// <summary>The examples have no <c>issues.closed</c>; it is <c>opened</c>'s shape with the action and state changed.</summary>
    public static JsonObject Closed(int issue = 1)
    {
        var payload = Fixtures.Webhook("issues", "opened");
        payload["action"] = "closed";
        payload["issue"]!["number"] = issue;
        payload["issue"]!["state"] = "closed";
        return payload;
    }

    /// <summary>
    /// An issue's body edited by <paramref name="login"/>: <c>issue.body</c> is the new text and <c>changes.body.from</c>
    /// the old one, as GitHub's <c>issues.edited</c> carries them (the fixture's <c>changes</c> is empty: nothing changed there).
    /// </summary>
    public static JsonObject Edited(int issue, string login, string body, string previousBody)
    {
        var payload = Fixtures.Webhook("issues", "edited");
        payload["issue"]!["number"] = issue;
        payload["issue"]!["body"] = body;
        payload["changes"] = new JsonObject { ["body"] = new JsonObject { ["from"] = previousBody } };
        payload["sender"]!["login"] = login;
        return payload;
    }

    private static long _commentId = 900_000;

    /// <summary>A submitted review (<c>approved</c>, <c>changes_requested</c>, <c>commented</c>) on commit <paramref name="commitId"/>.</summary>
    public static JsonObject Review(int pullRequest, string login, string state, string commitId, string? body = null, string userType = "User")
    {
        var payload = Fixtures.Webhook("pull_request_review", "submitted");
        payload["pull_request"]!["number"] = pullRequest;
        payload["review"]!["state"] = state;
        payload["review"]!["commit_id"] = commitId;
        payload["review"]!["body"] = body;
        payload["review"]!["user"]!["login"] = login;
        payload["review"]!["user"]!["type"] = userType;
        payload["sender"]!["login"] = login;
        payload["sender"]!["type"] = userType;
        return payload;
    }

    /// <summary>
    /// A new comment on an issue, or on a pull request (GitHub sends those as issue comments with <c>issue.pull_request</c>).
    /// <paramref name="issueBody"/> is the body the issue has at that moment (GitHub sends the current body with every
    /// comment); the fixture's when null.
    /// </summary>
    public static JsonObject Comment(int number, string login, string body, bool onPullRequest = true, string userType = "User", string? issueBody = null)
    {
        var payload = Fixtures.Webhook("issue_comment", "created");
        payload["issue"]!["number"] = number;
        if (issueBody is not null)
        {
            payload["issue"]!["body"] = issueBody;
        }

        if (onPullRequest)
        {
            payload["issue"]!["pull_request"] = new JsonObject
            {
                ["url"] = $"https://api.github.com/repos/{Repository}/pulls/{number}",
                ["html_url"] = $"https://github.com/{Repository}/pull/{number}",
                ["diff_url"] = $"https://github.com/{Repository}/pull/{number}.diff",
                ["patch_url"] = $"https://github.com/{Repository}/pull/{number}.patch",
            };
        }

        payload["comment"]!["id"] = Interlocked.Increment(ref _commentId);
        payload["comment"]!["body"] = body;
        payload["comment"]!["user"]!["login"] = login;
        payload["comment"]!["user"]!["type"] = userType;
        payload["sender"]!["login"] = login;
        payload["sender"]!["type"] = userType;
        return payload;
    }

    /// <summary>A pull request closed, merged by <paramref name="by"/> or not.</summary>
    public static JsonObject PullRequestClosed(int pullRequest, bool merged, string by, string headSha)
    {
        var payload = Fixtures.Webhook("pull_request", "closed");
        payload["number"] = pullRequest;
        payload["pull_request"]!["number"] = pullRequest;
        payload["pull_request"]!["merged"] = merged;
        payload["pull_request"]!["head"]!["sha"] = headSha;
        if (merged)
        {
            payload["pull_request"]!["merged_by"] = payload["sender"]!.DeepClone();
            payload["pull_request"]!["merged_by"]!["login"] = by;
            payload["pull_request"]!["merge_commit_sha"] = "1111111111111111111111111111111111111111";
        }

        payload["sender"]!["login"] = by;
        return payload;
    }

    /// <summary>A push to a pull request's branch.</summary>
    public static JsonObject Synchronize(int pullRequest, string headSha, string by)
    {
        var payload = Fixtures.Webhook("pull_request", "synchronize");
        payload["number"] = pullRequest;
        payload["pull_request"]!["number"] = pullRequest;
        payload["pull_request"]!["head"]!["sha"] = headSha;
        payload["after"] = headSha;
        payload["sender"]!["login"] = by;
        return payload;
    }
}
