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

    /// <summary>A comment by <paramref name="login"/> on an issue (not a pull request).</summary>
    public static JsonObject Comment(int issue, string body, string login = "alice")
    {
        var payload = Fixtures.Webhook("issue_comment", "created");
        payload["issue"]!["number"] = issue;
        payload["comment"]!["body"] = body;
        payload["comment"]!["user"]!["login"] = login;
        payload["sender"]!["login"] = login;
        return payload;
    }

    /// <summary>A pull request closed by <paramref name="login"/>, merged or not.</summary>
    public static JsonObject PullRequestClosed(int number, bool merged, string login = "alice", string? headSha = null)
    {
        var payload = Fixtures.Webhook("pull_request", "closed");
        payload["number"] = number;
        payload["pull_request"]!["number"] = number;
        payload["pull_request"]!["merged"] = merged;
        payload["sender"]!["login"] = login;
        if (merged)
        {
            payload["pull_request"]!["merged_by"] = payload["sender"]!.DeepClone();
            payload["pull_request"]!["merge_commit_sha"] = new string('b', 40);
        }

        if (headSha is not null)
        {
            payload["pull_request"]!["head"]!["sha"] = headSha;
        }

        return payload;
    }
}
