using System.Globalization;
using System.Text.Json;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Llm;
using Atom.Bot.Platform;
using Atom.Bot.Tasks;

namespace Atom.Bot.IntegrationTests.Platform;

/// <summary>Every LLM request's tokens are stored: they survive a restart, and <c>atom usage</c> and /status read them.</summary>
public sealed class UsageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Tokens_of_a_task_are_stored_by_repository_and_model_shown_by_atom_usage_and_on_status_after_a_restart()
    {
        await using var scenario = await AtomScenario.StartAsync();
        scenario.ReplyPlan(("Code", ["src/**"]));
        scenario.Llm.ReplyToolCall("write_file", new { path = "src/greeting.txt", content = "hello\n" }, tokensIn: 1000, tokensOut: 50)
            .ReplyToolCall("finish", new { summary = "Done." }, tokensIn: 1100, tokensOut: 20);
        scenario.ReplyVerdict();
        await scenario.Host.SendAsync("issues", scenario.Labeled());
        var repository = (await scenario.WaitForStateAsync(TaskState.AwaitingApproval)).Repository;
        var live = scenario.Host.Services.GetRequiredService<LlmPool>().Snapshot();
        live.TokensIn.ShouldBeGreaterThan(2100);

        // Gone from the process with a restart, still in the store.
        await scenario.RestartAsync();
        scenario.Host.Services.GetRequiredService<LlmPool>().Snapshot().TokensIn.ShouldBe(0);
        var usage = JsonDocument.Parse(await scenario.Host.Client.GetStringAsync("/status", Ct)).RootElement.GetProperty("usage");
        usage.GetProperty("month").GetString().ShouldBe(DateTimeOffset.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture));
        (usage.GetProperty("tokensIn").GetInt64(), usage.GetProperty("tokensOut").GetInt64()).ShouldBe((live.TokensIn, live.TokensOut));
        var model = usage.GetProperty("byModel").EnumerateArray().ShouldHaveSingleItem();
        model.GetProperty("model").GetString().ShouldBe("scripted-model");
        model.GetProperty("requests").GetInt64().ShouldBe(4, "plan, two worker steps, the auditor");

        var (code, output, _) = await RunAsync(scenario, "--repo", repository);
        code.ShouldBe(0, output);
        var line = output.Split('\n').Where(l => l.StartsWith(repository, StringComparison.Ordinal)).ShouldHaveSingleItem(output);
        line.ShouldContain("scripted-model");
        line.ShouldContain(live.TokensIn.ToString("N0", CultureInfo.InvariantCulture));
        (await RunAsync(scenario, "--month", "1999-01")).Output.ShouldContain("no LLM requests recorded");
        (await RunAsync(scenario, "--repo", "acme/other")).Output.ShouldContain("no LLM requests recorded");
        (await RunAsync(scenario, "--month", "December")).Code.ShouldBe(2);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(AtomScenario scenario, params string[] args)
    {
        await using var output = new StringWriter();
        await using var error = new StringWriter();
        var code = await UsageCommand.RunAsync(args, scenario.Host.Options, output, error, Ct);
        return (code, output.ToString(), error.ToString());
    }
}
