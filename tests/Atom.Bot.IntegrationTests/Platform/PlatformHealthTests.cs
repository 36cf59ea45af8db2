using System.Net;
using System.Text.Json;
using Atom.Bot.Audit;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Llm;
using Atom.Bot.Platform;
using Atom.Bot.Tasks;
using OpenAI.Chat;

namespace Atom.Bot.IntegrationTests.Platform;

/// <summary>
/// The platform health API steers the running service: stressed doubles LLM timeouts and halves concurrency, critical
/// switches workers to the fallback model and makes new tasks wait, recovery lets them go on; each change is audited
/// and on /status, and an API that fails changes nothing.
/// </summary>
public sealed class PlatformHealthTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<AtomTestHost> StartAsync(GitHubStub github, LlmScript llm, HealthApiStub health) =>
        AtomTestHost.StartAsync(
            github,
            environment: new Dictionary<string, string?>
            {
                ["ATOM_HEALTH_URL"] = health.Url.ToString(),
                ["ATOM_LLM_BASE_URL"] = llm.BaseUrl.ToString(),
                ["ATOM_LLM_MODEL"] = "scripted-model",
                ["ATOM_LLM_FALLBACK_MODEL"] = "small-model",
                ["ATOM_LLM_CONCURRENCY"] = "4",
                ["ATOM_LLM_TIMEOUT_SECONDS"] = "120",
            },
            configure: b => b.Services.AddSingleton(new PlatformHealthTuning { PollInterval = TimeSpan.FromMilliseconds(100) }));

    private static async Task<JsonElement> PlatformAsync(AtomTestHost host) =>
        JsonDocument.Parse(await host.Client.GetStringAsync("/status", Ct)).RootElement.GetProperty("platform").Clone();

    private static async Task<JsonElement> WhenModeAsync(AtomTestHost host, string mode)
    {
        await Eventually.TrueAsync(async () => (await PlatformAsync(host)).GetProperty("mode").GetString() == mode, $"platform mode {mode}");
        return await PlatformAsync(host);
    }

    [Fact]
    public async Task Stress_and_critical_readings_change_the_LLM_pool_and_new_tasks_and_each_change_is_audited()
    {
        using var health = new HealthApiStub();
        health.Report(thermalLevel: 0, latencyMs: 100);
        await using var scenario = await AtomScenario.StartAsync(
            concurrency: 4,
            environment: new Dictionary<string, string?> { ["ATOM_HEALTH_URL"] = health.Url.ToString(), ["ATOM_LLM_FALLBACK_MODEL"] = "small-model" },
            configure: b => b.Services.AddSingleton(new PlatformHealthTuning { PollInterval = TimeSpan.FromMilliseconds(100) }));
        var (host, github, llm) = (scenario.Host, scenario.GitHub, scenario.Llm);
        await health.PollsAsync(2);
        var normal = await WhenModeAsync(host, "normal");
        (normal.GetProperty("llmTimeoutSeconds").GetDouble(), normal.GetProperty("llmConcurrency").GetInt32()).ShouldBe((120, 4));

        health.Report(thermalLevel: 2, latencyMs: 100);
        var stressed = await WhenModeAsync(host, "stressed");
        (stressed.GetProperty("llmTimeoutSeconds").GetDouble(), stressed.GetProperty("llmConcurrency").GetInt32()).ShouldBe((240, 2));
        stressed.GetProperty("reason").GetString().ShouldBe("thermal level 2");
        stressed.GetProperty("mainModel").GetString().ShouldBe("scripted-model");

        health.Report(thermalLevel: 3);
        var critical = await WhenModeAsync(host, "critical");
        critical.GetProperty("mainModel").GetString().ShouldBe("small-model");
        llm.ReplyText("ok");
        (await host.Services.GetRequiredService<LlmPool>().CompleteAsync(LlmEndpoint.Main, [new UserChatMessage("hello")], null, null, Ct)).IsOk.ShouldBeTrue();
        llm.Requests[^1].Model.ShouldBe("small-model", "the fallback model in the main model's place");

        // A task labelled now is acknowledged with a note and waits: no plan is asked for.
        var before = llm.Requests.Count;
        (await host.SendAsync("issues", scenario.Labeled())).StatusCode.ShouldBe(HttpStatusCode.OK);
        await Eventually.TrueAsync(() => github.Comments(1).Count == 1, "the acknowledgement");
        github.Comments(1)[0].ShouldContain("waits before planning");
        await Eventually.QuietPeriodAsync(TimeSpan.FromSeconds(1));
        (await host.Tasks.ListRecentAsync(10, Ct)).ShouldHaveSingleItem().State.ShouldBe(TaskState.Accepted);
        llm.Requests.Count.ShouldBe(before);

        // Back to normal after three calm readings; the waiting task is planned at once, with the main model.
        health.Report(thermalLevel: 0, latencyMs: 100);
        (await WhenModeAsync(host, "normal")).GetProperty("llmConcurrency").GetInt32().ShouldBe(4);
        await Eventually.TrueAsync(() => llm.Requests.Count > before, "the plan request");
        llm.Requests[before].Model.ShouldBe("scripted-model");
        llm.Requests[before].LastUserText.ShouldContain(AtomScenario.Title);

        var changes = await host.Database.QueryAsync(
            "SELECT payload FROM audit_entries WHERE kind = $kind ORDER BY sequence",
            r => JsonDocument.Parse(r.GetString(0)).RootElement.Clone(),
            Ct,
            ("$kind", AuditKinds.PlatformMode));
        changes.Select(c => $"{c.GetProperty("from").GetString()}->{c.GetProperty("to").GetString()}").ShouldBe(["normal->stressed", "stressed->critical", "critical->normal"]);
        changes[1].GetProperty("reading").GetProperty("thermalLevel").GetInt32().ShouldBe(3);
        (await AuditVerifier.VerifyDatabaseAsync(host.Database, null, Ct)).IsValid.ShouldBeTrue();
    }

    [Fact]
    public async Task A_health_API_that_fails_or_answers_garbage_changes_nothing_and_is_logged_once()
    {
        using var github = new GitHubStub();
        using var llm = new LlmScript();
        using var health = new HealthApiStub();
        health.Report(thermalLevel: 2);
        await using var host = await StartAsync(github, llm, health);
        await WhenModeAsync(host, "stressed");

        health.Answer(503, """{"message":"Service Unavailable"}""");
        await health.PollsAsync(5);
        health.Answer(200, "<html>not json</html>");
        await health.PollsAsync(5);
        health.Answer(200, """{"thermal_level": 9}""");
        await health.PollsAsync(5);
        (await PlatformAsync(host)).GetProperty("mode").GetString().ShouldBe("stressed", "a health API that fails changes nothing");
        var unusable = host.Logs.Lines.Where(l => l.Contains("gives no usable answer", StringComparison.Ordinal)).ToList();
        unusable.ShouldHaveSingleItem().ShouldContain("HTTP 503");

        health.Report(thermalLevel: 0);
        await WhenModeAsync(host, "normal");
        host.Logs.Lines.Count(l => l.Contains("answers again", StringComparison.Ordinal)).ShouldBe(1);
    }
}
