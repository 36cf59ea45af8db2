using System.Text.Json.Nodes;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>Webhook payloads about checks and the merge queue, from GitHub's examples with the commit or reason changed.</summary>
public static class CheckPayloads
{
    /// <summary><c>check_suite</c> <c>completed</c> on <paramref name="headSha"/>.</summary>
    public static JsonObject CheckSuiteCompleted(string headSha, string conclusion = "success")
    {
        var payload = Fixtures.Webhook("check_suite", "completed");
        payload["check_suite"]!["head_sha"] = headSha;
        payload["check_suite"]!["conclusion"] = conclusion;
        return payload;
    }

    /// <summary>A <c>status</c> event: commit status <paramref name="context"/> is <paramref name="state"/> on <paramref name="sha"/>.</summary>
    public static JsonObject Status(string sha, string context, string state)
    {
        var payload = Fixtures.Webhook("status", "payload.json");
        payload["sha"] = sha;
        payload["context"] = context;
        payload["state"] = state;
        return payload;
    }

    /// <summary>
    /// <c>pull_request</c> <c>dequeued</c>: the octokit/webhooks schema's shape (the pull request event with a <c>reason</c>);
    /// the examples hold no such payload, so the <c>synchronize</c> example gives the rest.
    /// </summary>
    public static JsonObject Dequeued(int pullRequest, string headSha, string reason)
    {
        var payload = Fixtures.Webhook("pull_request", "synchronize");
        payload.Remove("before");
        payload.Remove("after");
        payload["action"] = "dequeued";
        payload["number"] = pullRequest;
        payload["pull_request"]!["number"] = pullRequest;
        payload["pull_request"]!["head"]!["sha"] = headSha;
        payload["reason"] = reason;
        payload["sender"]!["login"] = "github-merge-queue[bot]";
        payload["sender"]!["type"] = "Bot";
        return payload;
    }
}
