using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Tasks;

namespace Atom.Bot.IntegrationTests.Telemetry;

/// <summary><c>GET /metrics</c>: Prometheus text behind the dashboard gate, from the same instruments /status reads.</summary>
[Collection(nameof(RunsAlone))]
public sealed class MetricsTests
{
    private const string Token = "test-dashboard-token-9e41";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Metrics_without_a_configured_token_do_not_exist()
    {
        using var github = new GitHubStub();
        await using var host = await AtomTestHost.StartAsync(github);

        (await host.Client.GetAsync("/metrics", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var bearer = Get("/metrics", "anything");
        (await host.Client.SendAsync(bearer, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Metrics_after_a_task_show_deliveries_LLM_requests_and_tasks_and_count_the_LLM_requests_status_counts()
    {
        await using var scenario = await AtomScenario.StartAsync(environment: new Dictionary<string, string?> { ["ATOM_DASHBOARD_TOKEN"] = Token });
        scenario.ReplyPlan(("Code", ["src/**"])).ReplyWrite("src/greeting.txt", "hello\n").ReplyVerdict();
        await scenario.Host.SendAsync("issues", scenario.Labeled());
        await scenario.WaitForStateAsync(TaskState.AwaitingApproval);

        var none = await scenario.Host.Client.GetAsync("/metrics", Ct);
        none.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        none.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer");
        using (var wrong = Get("/metrics", Token + "x"))
        {
            (await scenario.Host.Client.SendAsync(wrong, Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using var right = Get("/metrics", Token);
        var response = await scenario.Host.Client.SendAsync(right, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        var text = await response.Content.ReadAsStringAsync(Ct);
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join('\n', text.Split('\n').Where(l => l.StartsWith("atom_", StringComparison.Ordinal) || l.StartsWith("# TYPE atom_", StringComparison.Ordinal))));

        Sum(text, "atom_deliveries_total", "event=\"issues\"", "outcome=\"handled\"").ShouldBe(1);
        Sum(text, "atom_task_transitions_total", "state=\"awaiting_approval\"").ShouldBe(1);
        Sum(text, "atom_task_transitions_total", "state=\"accepted\"").ShouldBe(1);
        Sum(text, "atom_llm_tokens_total", "gen_ai_token_type=\"input\"").ShouldBeGreaterThan(0);
        Sum(text, "atom_llm_duration_seconds_count", "model=\"scripted-model\"").ShouldBe(4);
        Sum(text, "atom_tool_calls_total", "tool=\"write_file\"", "outcome=\"ok\"").ShouldBe(1);
        text.ShouldContain("atom_llm_pool_in_flight");
        text.ShouldContain("atom_platform_level");

        var status = JsonDocument.Parse(await scenario.Host.Client.GetStringAsync("/status", Ct)).RootElement.GetProperty("llm");
        var completed = status.GetProperty("completed").GetInt64();
        completed.ShouldBe(4, "plan, two worker steps, the auditor");
        Sum(text, "atom_llm_requests_total", "outcome=\"completed\"").ShouldBe(completed);
        Sum(text, "atom_llm_requests_total").ShouldBe(completed + status.GetProperty("failed").GetInt64() + status.GetProperty("cancelled").GetInt64());
        Sum(text, "atom_llm_tokens_total", "gen_ai_token_type=\"input\"").ShouldBe(status.GetProperty("tokensIn").GetInt64());
        Sum(text, "atom_llm_tokens_total", "gen_ai_token_type=\"output\"").ShouldBe(status.GetProperty("tokensOut").GetInt64());
    }

    private static HttpRequestMessage Get(string path, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    /// <summary>The sum of a metric's samples whose labels include each of <paramref name="labels"/>.</summary>
    private static long Sum(string text, string metric, params string[] labels) =>
        (long)text.Split('\n')
            .Where(l => l.StartsWith(metric + "{", StringComparison.Ordinal) || l.StartsWith(metric + " ", StringComparison.Ordinal))
            .Where(l => labels.All(label => l.Contains(label, StringComparison.Ordinal)))
            .Sum(l => double.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture));
}
