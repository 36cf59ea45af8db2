using System.Text.Json;
using Atom.Bot.Audit;
using Atom.Bot.Certification;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Tasks;

namespace Atom.Bot.IntegrationTests.Supervisor;

/// <summary>
/// A second auditor (<c>ATOM_AUDITOR2_*</c>, its own scripted server): both auditors are asked the same question; when
/// they disagree, or the second gives no verdict, the package is not certified and needs a human's attention.
/// </summary>
public sealed class SecondAuditorTests
{
    private const string LowMinimum = "auditor:\n  min_score: 0.5\n";

    [Fact]
    public async Task Agreeing_auditors_certify_as_before_and_the_package_and_the_audit_log_show_both()
    {
        await using var scenario = await AtomScenario.StartAsync(secondAuditor: true);
        scenario.ReplyPlan(("Code", ["src/**"])).ReplyWrite("src/greeting.txt", "hello\n").ReplyVerdict("pass", 0.9);
        scenario.ReplySecondVerdict("pass", 0.8, "Consider a trailing newline.");

        await scenario.Host.SendAsync("issues", scenario.Labeled());
        var task = await scenario.WaitForStateAsync(TaskState.AwaitingApproval);

        // The same question to both: the second auditor's request is the first's, to another model.
        var first = scenario.Llm.Requests[^1];
        var second = scenario.Auditor2!.Requests.ShouldHaveSingleItem();
        second.Model.ShouldBe(AtomScenario.Auditor2Model);
        second.Body.Replace(AtomScenario.Auditor2Model, "scripted-model", StringComparison.Ordinal).ShouldBe(first.Body);

        var pull = scenario.GitHub.PullRequests.ShouldHaveSingleItem();
        var package = PackageBody.Read(pull.Body).ShouldNotBeNull();
        package.Passed.ShouldBeTrue();
        package.AuditorsAgree.ShouldBe(true);
        package.Auditor.Score.ShouldBe(0.9);
        var auditor2 = package.SecondAuditor.ShouldNotBeNull();
        (auditor2.Model, auditor2.Score, auditor2.Verdict).ShouldBe((AtomScenario.Auditor2Model, 0.8, "pass"));
        auditor2.Findings.ShouldHaveSingleItem().Message.ShouldBe("Consider a trailing newline.");
        pull.Body.ShouldContain("### Second auditor");
        pull.Body.ShouldContain("The two auditors agree");
        scenario.GitHub.Labels(pull.Number).ShouldContain("atom:certified");

        var evaluation = await EvaluationEntryAsync(scenario, task.Id);
        AssertAudited(evaluation.GetProperty("auditor"), "scripted-model", 0.9, "pass", package.Auditor.Findings);
        AssertAudited(evaluation.GetProperty("auditor2"), AtomScenario.Auditor2Model, 0.8, "pass", auditor2.Findings);
        (await scenario.VerifyAuditAsync()).IsValid.ShouldBeTrue();
    }

    [Fact]
    public async Task Another_verdict_from_the_second_auditor_needs_attention_and_shows_both_verdicts()
    {
        await using var scenario = await AtomScenario.StartAsync(secondAuditor: true, settings: "max_revisions: 2\n");
        scenario.ReplyPlan(("Code", ["src/**"])).ReplyWrite("src/greeting.txt", "hello\n").ReplyVerdict("pass", 0.9);
        scenario.ReplySecondVerdict("needs_revision", 0.8, "The greeting is not tested.");

        await scenario.Host.SendAsync("issues", scenario.Labeled());
        var task = await scenario.WaitForStateAsync(TaskState.Failed);

        var pull = scenario.GitHub.PullRequests.ShouldHaveSingleItem();
        pull.Draft.ShouldBeTrue();
        scenario.GitHub.Labels(pull.Number).ShouldContain(CertificationPublisher.NeedsAttentionLabel);
        scenario.GitHub.CheckRuns()[^1]["conclusion"]!.GetValue<string>().ShouldBe("failure");
        var package = PackageBody.Read(pull.Body).ShouldNotBeNull();
        package.Passed.ShouldBeFalse();
        package.AuditorsAgree.ShouldBe(false);
        package.Rounds.ShouldBe(1, "a disagreement is for a human to settle, not another round");
        package.FailureReasons.ShouldContain(r => r.Contains("the auditors disagree: pass (0.90) by scripted-model against needs_revision (0.80) by auditor2-model", StringComparison.Ordinal));
        (package.Auditor.Verdict, package.Auditor.Score).ShouldBe(("pass", 0.9));
        var auditor2 = package.SecondAuditor.ShouldNotBeNull();
        (auditor2.Model, auditor2.Verdict, auditor2.Score).ShouldBe((AtomScenario.Auditor2Model, "needs_revision", 0.8));
        auditor2.Findings.ShouldHaveSingleItem().Message.ShouldBe("The greeting is not tested.");
        pull.Body.ShouldContain("**Needs attention:** the two auditors disagree");
        pull.Body.ShouldContain("The greeting is not tested.");
        scenario.Llm.UnscriptedRequests.ShouldBe(0);

        var evaluation = await EvaluationEntryAsync(scenario, task.Id);
        evaluation.GetProperty("decision").GetString().ShouldBe("Fail");
        AssertAudited(evaluation.GetProperty("auditor"), "scripted-model", 0.9, "pass", package.Auditor.Findings);
        AssertAudited(evaluation.GetProperty("auditor2"), AtomScenario.Auditor2Model, 0.8, "needs_revision", auditor2.Findings);
    }

    [Theory]
    [InlineData(0.95, 0.6, false)]
    [InlineData(0.9, 0.6, true)]
    [InlineData(0.6, 0.9, true)]
    [InlineData(0.6, 0.91, false)]
    public async Task Scores_more_than_0_3_apart_need_attention_and_exactly_0_3_apart_agree(double firstScore, double secondScore, bool agree)
    {
        await using var scenario = await AtomScenario.StartAsync(secondAuditor: true, settings: LowMinimum);
        scenario.ReplyPlan(("Code", ["src/**"])).ReplyWrite("src/greeting.txt", "hello\n").ReplyVerdict("pass", firstScore);
        scenario.ReplySecondVerdict("pass", secondScore);

        await scenario.Host.SendAsync("issues", scenario.Labeled());
        await scenario.WaitForStateAsync(agree ? TaskState.AwaitingApproval : TaskState.Failed);

        var package = PackageBody.Read(scenario.GitHub.PullRequests.ShouldHaveSingleItem().Body).ShouldNotBeNull();
        package.Passed.ShouldBe(agree);
        package.AuditorsAgree.ShouldBe(agree);
        if (!agree)
        {
            package.FailureReasons.ShouldContain(r => r.StartsWith("the auditors' scores differ by", StringComparison.Ordinal) && r.Contains("more than 0.3", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Agreeing_auditors_both_answer_to_the_minimum_score()
    {
        await using var scenario = await AtomScenario.StartAsync(secondAuditor: true, settings: "max_revisions: 0\n");
        scenario.ReplyPlan(("Code", ["src/**"])).ReplyWrite("src/greeting.txt", "hello\n").ReplyVerdict("pass", 0.9);
        scenario.ReplySecondVerdict("pass", 0.65);

        await scenario.Host.SendAsync("issues", scenario.Labeled());
        await scenario.WaitForStateAsync(TaskState.Failed);

        var package = PackageBody.Read(scenario.GitHub.PullRequests.ShouldHaveSingleItem().Body).ShouldNotBeNull();
        package.AuditorsAgree.ShouldBe(true);
        package.FailureReasons.ShouldContain("the second auditor's score is under the minimum (score 0.65, minimum 0.70)");
    }

    [Theory]
    [InlineData("unreachable")]
    [InlineData("garbage")]
    public async Task A_second_auditor_without_a_verdict_needs_attention_with_the_reason(string failure)
    {
        await using var scenario = await AtomScenario.StartAsync(secondAuditor: true);
        scenario.ReplyPlan(("Code", ["src/**"])).ReplyWrite("src/greeting.txt", "hello\n").ReplyVerdict("pass", 0.9);
        if (failure == "unreachable")
        {
            scenario.Auditor2!.FailWhenEmpty(503);
        }
        else
        {
            // The verdict, then the corrective retry: neither is JSON.
            scenario.Auditor2!.ReplyText("Looks fine to me!", times: 2);
        }

        await scenario.Host.SendAsync("issues", scenario.Labeled());
        var task = await scenario.WaitForStateAsync(TaskState.Failed);

        var pull = scenario.GitHub.PullRequests.ShouldHaveSingleItem();
        scenario.GitHub.Labels(pull.Number).ShouldContain(CertificationPublisher.NeedsAttentionLabel);
        var package = PackageBody.Read(pull.Body).ShouldNotBeNull();
        package.Passed.ShouldBeFalse();
        package.AuditorsAgree.ShouldBeNull();
        package.Auditor.Verdict.ShouldBe("pass");
        var auditor2 = package.SecondAuditor.ShouldNotBeNull();
        auditor2.Model.ShouldBe(AtomScenario.Auditor2Model);
        auditor2.Verdict.ShouldBeNull();
        auditor2.Error.ShouldNotBeNullOrWhiteSpace();
        package.FailureReasons.ShouldContain(r => r.StartsWith("second auditor unavailable: ", StringComparison.Ordinal)
            && r.Contains(failure == "unreachable" ? "503" : "atom_verdict", StringComparison.Ordinal));
        pull.Body.ShouldContain("**Needs attention:** the second auditor gave no verdict");
        scenario.Auditor2.Requests.Count.ShouldBeGreaterThan(1, "the usual retries ran first");

        var entry = (await EvaluationEntryAsync(scenario, task.Id)).GetProperty("auditor2");
        entry.GetProperty("model").GetString().ShouldBe(AtomScenario.Auditor2Model);
        entry.GetProperty("error").GetString().ShouldBe(auditor2.Error);
    }

    private static async Task<JsonElement> EvaluationEntryAsync(AtomScenario scenario, long taskId)
    {
        var entry = (await scenario.AuditAsync(taskId)).Last(e => e.Kind == AuditKinds.Evaluation);
        return JsonDocument.Parse(entry.Payload!).RootElement.Clone();
    }

    private static void AssertAudited(JsonElement audited, string model, double score, string verdict, IReadOnlyList<PackageFinding> findings)
    {
        audited.GetProperty("model").GetString().ShouldBe(model);
        audited.GetProperty("score").GetDouble().ShouldBe(score);
        audited.GetProperty("verdict").GetString().ShouldBe(verdict);
        var expected = findings.Select(f => new Atom.Bot.Supervisor.AuditorFinding(f.Severity, f.Message, f.Path)).ToList();
        audited.GetProperty("findings").GetString().ShouldBe(Hashing.Sha256(JsonSerializer.Serialize(expected, JsonSerializerOptions.Web)));
    }
}
