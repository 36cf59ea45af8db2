using System.Text.Json.Nodes;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>Webhook payloads from GitHub's examples, with the few fields a test cares about changed.</summary>
public static class Payloads
{
    public const string Repository = "Codertocat/Hello-World";
    public const string Labeller = "Codertocat";

    private static void SetUser(JsonNode user, string login, long? id, string? type = null)
    {
        user["login"] = login;
        user["id"] = id ?? TestAccounts.UserId(login);
        if (type is not null)
        {
            user["type"] = type;
        }
    }

    /// <summary>A remote that does not exist: tests that do not care about git never reach the network.</summary>
    public const string NoRemote = "file:///nonexistent/atom-tests/Hello-World.git";

    public static JsonObject Labeled(string label = "atom", string sender = Labeller, int issue = 1, string? title = null, string? body = null, long? installationId = null, string cloneUrl = NoRemote)
    {
        var payload = Fixtures.Webhook("issues", "labeled");
        payload["repository"]!["clone_url"] = cloneUrl;
        payload["label"]!["name"] = label;
        payload["issue"]!["number"] = issue;
        SetUser(payload["sender"]!, sender, null);
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
        SetUser(payload["sender"]!, login, null);
        return payload;
    }

    private static long _commentId = 900_000;

    /// <summary>A submitted review (<c>approved</c>, <c>changes_requested</c>, <c>commented</c>) on commit <paramref name="commitId"/>.</summary>
    public static JsonObject Review(int pullRequest, string login, string state, string commitId, string? body = null, string userType = "User", long? userId = null)
    {
        var payload = Fixtures.Webhook("pull_request_review", "submitted");
        payload["pull_request"]!["number"] = pullRequest;
        payload["review"]!["id"] = Interlocked.Increment(ref _commentId);
        payload["review"]!["state"] = state;
        payload["review"]!["commit_id"] = commitId;
        payload["review"]!["body"] = body;
        SetUser(payload["review"]!["user"]!, login, userId, userType);
        SetUser(payload["sender"]!, login, userId, userType);
        return payload;
    }

    /// <summary><paramref name="by"/> dismissed <paramref name="author"/>'s review of <paramref name="commitId"/> (the fixture's <c>dismissed</c> example).</summary>
    public static JsonObject ReviewDismissed(int pullRequest, string author, string commitId, string by)
    {
        var payload = Fixtures.Webhook("pull_request_review", "dismissed");
        payload["pull_request"]!["number"] = pullRequest;
        payload["review"]!["commit_id"] = commitId;
        SetUser(payload["review"]!["user"]!, author, null);
        SetUser(payload["sender"]!, by, null);
        return payload;
    }

    /// <summary>
    /// A new comment on an issue, or on a pull request (GitHub sends those as issue comments with <c>issue.pull_request</c>).
    /// <paramref name="issueBody"/> is the body the issue has at that moment (GitHub sends the current body with every
    /// comment); the fixture's when null.
    /// </summary>
    /// <paramref name="createdAt"/> is when it was written (now when null), as GitHub stamps <c>comment.created_at</c>.
    public static JsonObject Comment(int number, string login, string body, bool onPullRequest = true, string userType = "User", string? issueBody = null, long? userId = null, DateTimeOffset? createdAt = null)
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
        var written = (createdAt ?? DateTimeOffset.UtcNow).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        payload["comment"]!["created_at"] = written;
        payload["comment"]!["updated_at"] = written;
        SetUser(payload["comment"]!["user"]!, login, userId, userType);
        SetUser(payload["sender"]!, login, userId, userType);
        return payload;
    }

    /// <summary>A pull request closed, merged by <paramref name="by"/> or not.</summary>
    public static JsonObject PullRequestClosed(int pullRequest, bool merged, string by, string headSha, string userType = "User")
    {
        var payload = Fixtures.Webhook("pull_request", "closed");
        payload["number"] = pullRequest;
        payload["pull_request"]!["number"] = pullRequest;
        payload["pull_request"]!["merged"] = merged;
        payload["pull_request"]!["head"]!["sha"] = headSha;
        if (merged)
        {
            payload["pull_request"]!["merged_by"] = payload["sender"]!.DeepClone();
            SetUser(payload["pull_request"]!["merged_by"]!, by, null, userType);
            payload["pull_request"]!["merge_commit_sha"] = "1111111111111111111111111111111111111111";
        }

        SetUser(payload["sender"]!, by, null, userType);
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
        SetUser(payload["sender"]!, by, null);
        return payload;
    }

    /// <summary>
    /// A line comment on a pull request's diff (the fixture's <c>pull_request_review_comment</c> <c>created</c> example):
    /// <paramref name="inReplyTo"/> makes it a reply in that thread.
    /// </summary>
    public static JsonObject ReviewComment(int pullRequest, string login, long commentId, string path, int? line, string diffHunk, string body, long? inReplyTo = null, string userType = "User")
    {
        var payload = Fixtures.Webhook("pull_request_review_comment", "created");
        payload["pull_request"]!["number"] = pullRequest;
        var comment = payload["comment"]!;
        comment["id"] = commentId;
        comment["path"] = path;
        comment["line"] = line;
        comment["original_line"] = line;
        comment["diff_hunk"] = diffHunk;
        comment["body"] = body;
        comment["in_reply_to_id"] = inReplyTo;
        SetUser(comment["user"]!, login, null, userType);
        SetUser(payload["sender"]!, login, null, userType);
        return payload;
    }
}
