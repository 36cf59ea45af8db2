using Atom.Bot.Supervisor;

namespace Atom.Bot.Tests.Supervisor;

public sealed class AuditorDisagreementTests
{
    [Theory]
    [InlineData("pass", 0.9, "pass", 0.6, null)]
    [InlineData("pass", 0.6, "pass", 0.9, null)]
    [InlineData("needs_revision", 0.7, "needs_revision", 0.4, null)]
    [InlineData("pass", 0.9, "pass", 0.9, null)]
    [InlineData("pass", 0.95, "pass", 0.6, "the auditors' scores differ by 0.35, more than 0.3: pass (0.95) by a against pass (0.60) by b")]
    [InlineData("pass", 0.9, "pass", 0.599, "the auditors' scores differ by 0.301, more than 0.3: pass (0.90) by a against pass (0.60) by b")]
    [InlineData("pass", 0.9, "needs_revision", 0.9, "the auditors disagree: pass (0.90) by a against needs_revision (0.90) by b")]
    [InlineData("fail", 0.1, "needs_revision", 0.2, "the auditors disagree: fail (0.10) by a against needs_revision (0.20) by b")]
    public void Verdicts_disagree_on_another_verdict_or_scores_more_than_0_3_apart(string firstVerdict, double firstScore, string secondVerdict, double secondScore, string? expected)
    {
        var first = new AuditorVerdict(firstScore, firstVerdict, [], "a");
        var second = new AuditorVerdict(secondScore, secondVerdict, [], "b");

        Auditor.Disagreement(first, second).ShouldBe(expected);
    }
}
