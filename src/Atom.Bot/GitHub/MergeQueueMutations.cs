using System.Text.Json;
using System.Text.Json.Nodes;
using Octokit;

namespace Atom.Bot.GitHub;

/// <summary>
/// GitHub's merge queue through GraphQL (REST has no endpoint for it): <c>enqueuePullRequest</c> with the certified SHA as
/// <c>expectedHeadOid</c>, so the queue itself refuses a head that moved, and <c>dequeuePullRequest</c>.
/// </summary>
public static class MergeQueueMutations
{
    private const string Enqueue = "mutation($pullRequestId: ID!, $expectedHeadOid: GitObjectID) { enqueuePullRequest(input: {pullRequestId: $pullRequestId, expectedHeadOid: $expectedHeadOid}) { mergeQueueEntry { id position state } } }";

    private const string Dequeue = "mutation($id: ID!) { dequeuePullRequest(input: {id: $id}) { mergeQueueEntry { id } } }";

    public static Task<MergeQueueAnswer> EnqueueAsync(IGitHubClient client, string pullRequestNodeId, string sha, CancellationToken cancellationToken) =>
        SendAsync(client, Enqueue, new JsonObject { ["pullRequestId"] = pullRequestNodeId, ["expectedHeadOid"] = sha }, "enqueuePullRequest", cancellationToken);

    public static Task<MergeQueueAnswer> DequeueAsync(IGitHubClient client, string pullRequestNodeId, CancellationToken cancellationToken) =>
        SendAsync(client, Dequeue, new JsonObject { ["id"] = pullRequestNodeId }, "dequeuePullRequest", cancellationToken);

    private static async Task<MergeQueueAnswer> SendAsync(IGitHubClient client, string query, JsonObject variables, string mutation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var body = new JsonObject { ["query"] = query, ["variables"] = variables };
        // GraphQL lives at /graphql on github.com and at /api/graphql next to GitHub Enterprise's /api/v3/.
        var graphql = new Uri(client.Connection.BaseAddress, "../graphql");
        try
        {
            var response = await client.Connection.Post<object>(graphql, body.ToJsonString(), "application/json", "application/json", (IDictionary<string, string>?)null, cancellationToken);
            using var answer = JsonDocument.Parse(response.HttpResponse.Body as string ?? "{}");
            if (answer.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
            {
                return new MergeQueueAnswer(false, string.Join("; ", errors.EnumerateArray()
                    .Select(e => e.TryGetProperty("message", out var m) ? m.GetString() : e.GetRawText())));
            }

            var done = answer.RootElement.TryGetProperty("data", out var data) && data.TryGetProperty(mutation, out var result)
                && result.ValueKind == JsonValueKind.Object && result.TryGetProperty("mergeQueueEntry", out var entry) && entry.ValueKind == JsonValueKind.Object;
            return new MergeQueueAnswer(done, done ? null : $"GitHub answered {mutation} without a merge queue entry");
        }
        catch (ApiException ex)
        {
            return new MergeQueueAnswer(false, ex.Message);
        }
    }
}
