using System.Globalization;
using System.Text.Json;
using Atom.Bot.Audit;
using Atom.Bot.Configuration;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Llm;
using Atom.Bot.Platform;
using Atom.Bot.Tasks;

namespace Atom.Bot.IntegrationTests.Supervisor;

/// <summary>
/// <c>budget</c> in <c>.github/atom.yml</c>, end to end: a task stops at the step after it reaches its budget and
/// continues after <c>/retry</c> with a higher one; a repository over its month's budget gets a refusal and no task;
/// <c>ATOM_LLM_PRICES</c> turns the stored tokens into money in the package and on /status.
/// </summary>
public sealed class BudgetTests
{
    private const string TaskBranch = "atom/issue-1/add-a-greeting";
    private const string Writer = "alice";
    private const string Prices = "scripted-model=2.5/10";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_task_over_its_budget_stops_before_the_next_request_keeps_its_push_and_retry_with_a_higher_budget_continues()
    {
        await using var scenario = await AtomScenario.StartAsync(
            settings: "budget:\n  max_tokens_per_task: 3000\n",
            environment: new Dictionary<string, string?> { ["ATOM_LLM_PRICES"] = Prices });
        scenario.ReplyPlan(("Code", ["src/**"]));
        // Plan 29 tokens; then 2,100 (under 3,000: the worker goes on) and 1,050 more (3,179: it stops before asking again).
        scenario.Llm.ReplyToolCall("write_file", new { path = "src/greeting.txt", content = "hello\n" }, tokensIn: 2000, tokensOut: 100)
            .ReplyToolCall("write_file", new { path = "src/second.txt", content = "two\n" }, tokensIn: 1000, tokensOut: 50);

        await scenario.Host.SendAsync("issues", scenario.Labeled());
        var failed = await scenario.WaitForStateAsync(TaskState.Failed);

        failed.StateReason.ShouldBe("token budget reached: the task used 3,179 tokens of its 3,000 (`budget.max_tokens_per_task`)");
        scenario.Llm.Requests.Count.ShouldBe(3, "the plan and two worker steps; no request after the budget was reached");
        scenario.Llm.UnscriptedRequests.ShouldBe(0);
        // What the worker wrote before the stop is committed and pushed, and stays.
        var tree = scenario.Repository.Tree(TaskBranch);
        tree["src/greeting.txt"].ShouldBe("hello\n");
        tree["src/second.txt"].ShouldBe("two\n");
        scenario.GitHub.PullRequests.ShouldBeEmpty();
        await Eventually.TrueAsync(() => scenario.GitHub.Comments(1).Any(c => c.Contains("budget", StringComparison.Ordinal)), "the budget comment");
        var comment = scenario.GitHub.Comments(1).Single(c => c.Contains("budget", StringComparison.Ordinal));
        comment.ShouldContain("**3,179 tokens**");
        comment.ShouldContain("**3,000**");
        comment.ShouldContain("`budget.max_tokens_per_task`");
        comment.ShouldContain("`/retry`");
        comment.ShouldContain($"`{TaskBranch}`");
        var stop = (await scenario.AuditAsync(failed.Id)).Where(e => e.Kind == AuditKinds.BudgetStopped).ShouldHaveSingleItem();
        using (var payload = JsonDocument.Parse(stop.Payload!))
        {
            payload.RootElement.GetProperty("limit").GetString().ShouldBe("task");
            payload.RootElement.GetProperty("used").GetInt64().ShouldBe(3179);
            payload.RootElement.GetProperty("budget").GetInt64().ShouldBe(3000);
            payload.RootElement.GetProperty("before").GetString().ShouldBe("evaluation");
        }

        (await scenario.AuditAsync(failed.Id)).ShouldContain(e => e.Kind == AuditKinds.AssignmentWorked && e.Payload!.Contains("BudgetReached", StringComparison.Ordinal));

        // The budget counts the whole task: raised above what it used, /retry goes on from the pushed branch.
        scenario.GitHub.Settings("budget:\n  max_tokens_per_task: 20000\n");
        scenario.Llm.Requests.Count.ShouldBe(3);
        scenario.ReplyWrite("src/third.txt", "three\n").ReplyVerdict();
        await scenario.Host.SendAsync("issue_comment", Payloads.Comment(1, Writer, "/retry", onPullRequest: false));
        var continued = await scenario.WaitForStateAsync(TaskState.AwaitingApproval);

        continued.Round.ShouldBe(1);
        scenario.Repository.Tree(TaskBranch).Keys.ShouldContain("src/second.txt");
        scenario.Repository.Tree(TaskBranch).Keys.ShouldContain("src/third.txt");

        // The package prices the task's stored tokens, every round of it, and /status prices the month's.
        var stored = await scenario.Host.Services.GetRequiredService<TokenBudget>().TaskModelsAsync(continued.Id, Ct);
        var model = stored.ShouldHaveSingleItem();
        var expected = LlmPrices.Money(((model.TokensIn * 2.5m) + (model.TokensOut * 10m)) / 1_000_000m);
        var pull = scenario.GitHub.PullRequests.ShouldHaveSingleItem();
        pull.Body.ShouldContain($"{model.TokensIn:N0} tokens in, {model.TokensOut:N0} tokens out");
        pull.Body.ShouldContain($"of model time; cost {expected}\n");
        var usage = JsonDocument.Parse(await scenario.Host.Client.GetStringAsync("/status", Ct)).RootElement.GetProperty("usage");
        usage.GetProperty("cost").GetDecimal().ShouldBe(((model.TokensIn * 2.5m) + (model.TokensOut * 10m)) / 1_000_000m);
        usage.GetProperty("unpriced").GetArrayLength().ShouldBe(0);
        usage.GetProperty("byModel").EnumerateArray().ShouldHaveSingleItem().GetProperty("cost").GetDecimal().ShouldBeGreaterThan(0m);

        // atom usage: the cost column where the model has a price, "no price set" where it has none.
        var priced = await UsageAsync(scenario.Host.Options);
        priced.Split('\n').Single(l => l.StartsWith(continued.Repository, StringComparison.Ordinal)).TrimEnd().ShouldEndWith(expected);
        var unpriced = await UsageAsync(scenario.Host.Options with { LlmPrices = LlmPrices.Parse("other-model=1/1", out _)! });
        unpriced.Split('\n').Single(l => l.StartsWith(continued.Repository, StringComparison.Ordinal)).TrimEnd().ShouldEndWith("no price set");
        unpriced.ShouldContain("no price set for scripted-model: shown in tokens only");
    }

    private static async Task<string> UsageAsync(AtomOptions options)
    {
        await using var output = new StringWriter();
        await using var error = new StringWriter();
        (await UsageCommand.RunAsync([], options, output, error, Ct)).ShouldBe(0, error.ToString());
        return output.ToString();
    }

    [Fact]
    public async Task A_repository_over_its_monthly_budget_stops_a_running_task_and_refuses_new_labels_politely()
    {
        await using var scenario = await AtomScenario.StartAsync(settings: "budget:\n  max_tokens_per_month: 50000\n");
        var repositoryId = scenario.Labeled()["repository"]!["id"]!.GetValue<long>();
        // Tokens an earlier task of this repository used this month (49,990) and last month (which no longer count).
        var earlier = await scenario.Tasks.CreateAsync(
            new NewTask($"{TestRepository.Owner}/{scenario.Repository.Name}", repositoryId, null, scenario.CloneUrl, "main", 9, "Earlier", "", Payloads.Labeller), Ct);
        (await scenario.Tasks.TransitionAsync(earlier.Task.Id, TaskTransitions.Cancel, "test", "done", Ct)).ShouldBeTrue();
        var sink = scenario.Host.Services.GetRequiredService<UsageStore>();
        await sink.RecordAsync(new LlmUsageRecord(earlier.Task.Id, LlmEndpoint.Main, "scripted-model", 40_000, 9_990, DateTimeOffset.UtcNow), Ct);
        await sink.RecordAsync(new LlmUsageRecord(earlier.Task.Id, LlmEndpoint.Main, "scripted-model", 900_000, 0, DateTimeOffset.UtcNow.AddMonths(-1)), Ct);

        // Under the budget, the label is taken; the plan's 29 tokens cross it, so the worker stops before its first request.
        scenario.ReplyPlan(("Code", ["src/**"])).ReplyWrite("src/greeting.txt", "hello\n");
        await scenario.Host.SendAsync("issues", scenario.Labeled(issue: 1));
        var stopped = await scenario.WaitForStateAsync(TaskState.Failed, issue: 1);

        stopped.StateReason.ShouldStartWith("monthly token budget reached: the repository used 50,019 tokens of its 50,000");
        scenario.Llm.Requests.Count.ShouldBe(1, "the plan only");
        await Eventually.TrueAsync(() => scenario.GitHub.Comments(1).Any(c => c.Contains("monthly budget", StringComparison.Ordinal)), "the budget comment");
        var month = DateTimeOffset.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var firstOfNextMonth = new DateTimeOffset(DateTimeOffset.UtcNow.Year, DateTimeOffset.UtcNow.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
        scenario.GitHub.Comments(1).Single(c => c.Contains("monthly budget", StringComparison.Ordinal)).ShouldContain($"resets on {firstOfNextMonth:yyyy-MM-dd}");

        // Over it, the next label is refused: no task, a polite comment, an audit entry.
        await scenario.Host.SendAsync("issues", scenario.Labeled(issue: 2, title: "Another"));

        await Eventually.TrueAsync(() => scenario.GitHub.Comments(2).Count == 1, "the refusal comment");
        var refusal = scenario.GitHub.Comments(2)[0];
        refusal.ShouldContain($"@{Payloads.Labeller}");
        refusal.ShouldContain($"**50,019 tokens** (prompt + completion) in {month}");
        refusal.ShouldContain("**50,000**");
        refusal.ShouldContain($"resets on {firstOfNextMonth:yyyy-MM-dd}");
        refusal.ShouldContain("`budget.max_tokens_per_month`");
        await Eventually.QuietPeriodAsync();
        (await scenario.Tasks.ListRecentAsync(20, Ct)).ShouldNotContain(t => t.IssueNumber == 2);
        scenario.Llm.Requests.Count.ShouldBe(1);
        await using var connection = await scenario.Host.Database.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {AuditLog.EntryColumns} FROM audit_entries WHERE task_id IS NULL ORDER BY sequence";
        var refused = (await AuditLog.ReadEntriesAsync(command, Ct).ToListAsync(Ct)).Where(e => e.Kind == AuditKinds.BudgetRefused).ShouldHaveSingleItem();
        refused.Actor.ShouldBe(Payloads.Labeller);
        using var payload = JsonDocument.Parse(refused.Payload!);
        payload.RootElement.GetProperty("issue").GetInt32().ShouldBe(2);
        payload.RootElement.GetProperty("used").GetInt64().ShouldBe(50_019);
        payload.RootElement.GetProperty("budget").GetInt64().ShouldBe(50_000);
    }
}
