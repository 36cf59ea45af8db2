using Atom.Bot.Configuration;
using Atom.Bot.Proposals;
using Atom.Bot.Tasks;
using Atom.Bot.Workers;

namespace Atom.Bot.Tests.Proposals;

public sealed class GapDetectorTests
{
    private const string Outside = "is outside this assignment's scope (it matches no allow glob; see the scope in your instructions)";

    internal static AtomTask Task(long id, TaskState state = TaskState.Merged) => new()
    {
        Id = id,
        Repository = "octo/widgets",
        RepositoryId = 4242,
        CloneUrl = "/tmp/none",
        DefaultBranch = "main",
        IssueNumber = (int)id + 10,
        IssueTitle = $"Task {id}",
        IssueBody = "",
        IssueBodyClean = "",
        RequestedBy = "alice",
        State = state,
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
    };

    internal static Assignment Assignment(long taskId, AssignmentResult? result = null, string? feedback = null, int round = 0) => new()
    {
        Id = taskId * 10 + round,
        TaskId = taskId,
        Round = round,
        Ordinal = 1,
        Title = "work",
        Instructions = "do it",
        Feedback = feedback,
        Scope = new Scope(["src/**"], [], 20, 800),
        Branch = "atom/issue-1/x",
        State = AssignmentState.Done,
        Attempts = 1,
        Result = result,
    };

    private static AssignmentResult Refused(params string[] paths) => new()
    {
        Outcome = AssignmentOutcome.Completed,
        Summary = "done",
        Refusals = paths.Select(p => new ScopeViolation(p, Outside)).ToList(),
    };

    private static TaskHistory History(long id, TaskState state = TaskState.Merged, AssignmentResult? result = null, string? feedback = null, int timeouts = 0) =>
        new(Task(id, state), [Assignment(id, result, feedback, feedback is null ? 0 : 1)], timeouts);

    [Fact]
    public void Refusals_of_one_folder_on_enough_approved_tasks_are_a_scope_gap_with_evidence()
    {
        var gaps = GapDetector.Detect(
            [History(1, result: Refused("docs/a.md", "docs/b/c.md")), History(2, TaskState.AwaitingApproval, Refused("./docs/x.md")), History(3, result: Refused("docs/y.md"))],
            new ProposalThresholds());

        var gap = gaps.ShouldHaveSingleItem();
        gap.Category.ShouldBe(ProposalCategory.Scope);
        gap.Key.ShouldBe("docs/**");
        gap.TaskIds.ShouldBe([1L, 2L, 3L]);
        gap.Evidence.Count.ShouldBe(3);
        gap.SamplePath.ShouldBe("docs/a.md");
    }

    [Fact]
    public void Refusals_on_tasks_that_were_not_approved_are_no_scope_gap()
    {
        GapDetector.Detect(
            [History(1, result: Refused("docs/a.md")), History(2, result: Refused("docs/b.md")), History(3, TaskState.Failed, Refused("docs/c.md")), History(4, TaskState.Rejected, Refused("docs/d.md"))],
            new ProposalThresholds()).ShouldBeEmpty();
    }

    [Theory]
    [InlineData(".github/workflows/ci.yml")]
    [InlineData(".GitHub/atom.yml")]
    [InlineData(".atom/skills/x.md")]
    [InlineData(".git/config")]
    [InlineData("src/.git/config")]
    [InlineData("../outside.txt")]
    public void Paths_no_proposal_may_open_are_never_a_scope_gap(string path)
    {
        GapDetector.Detect([History(1, result: Refused(path)), History(2, result: Refused(path)), History(3, result: Refused(path)), History(4, result: Refused(path))], new ProposalThresholds())
            .ShouldBeEmpty();
    }

    [Fact]
    public void The_same_unknown_tool_on_enough_tasks_is_a_tooling_gap()
    {
        var failing = new AssignmentResult { Outcome = AssignmentOutcome.Completed, Summary = "s", ToolErrors = ["unknown:git_commit", "unknown:git_commit"] };
        var gap = GapDetector.Detect([History(1, TaskState.Failed, failing), History(2, result: failing), History(3, result: failing)], new ProposalThresholds()).ShouldHaveSingleItem();
        gap.Category.ShouldBe(ProposalCategory.Tooling);
        gap.Key.ShouldBe("unknown:git_commit");
        gap.TaskIds.Count.ShouldBe(3);
    }

    [Fact]
    public void Test_timeouts_on_two_tasks_are_a_settings_gap_and_one_is_not()
    {
        GapDetector.Detect([History(1, timeouts: 1), History(2)], new ProposalThresholds()).ShouldBeEmpty();
        var gap = GapDetector.Detect([History(1, timeouts: 1), History(2, TaskState.Failed, timeouts: 2)], new ProposalThresholds()).ShouldHaveSingleItem();
        gap.Category.ShouldBe(ProposalCategory.Settings);
        gap.Key.ShouldBe("test_timeout_seconds");
    }

    [Fact]
    public void The_same_auditor_finding_in_other_words_and_files_is_one_skill_gap()
    {
        var gap = GapDetector.Detect(
            [
                History(1, feedback: "- error: Missing null check on the input! (src/a.cs)"),
                History(2, feedback: "The auditor said:\n- warning: missing null-check on the input (src/b.cs)"),
                History(3, feedback: "- error: MISSING NULL CHECK ON THE INPUT"),
            ],
            new ProposalThresholds()).ShouldHaveSingleItem();
        gap.Category.ShouldBe(ProposalCategory.Skill);
        gap.Key.ShouldBe("missing null check on the input");
        gap.TaskIds.ShouldBe([1L, 2L, 3L]);
    }

    [Fact]
    public void Test_output_in_feedback_is_not_a_finding()
    {
        GapDetector.Detect(
            [History(1, feedback: "The test command `make` failed. Last lines of its output:\nboom"), History(2, feedback: "The test command `make` failed. Last lines of its output:\nboom"), History(3, feedback: "The test command `make` failed. Last lines of its output:\nboom")],
            new ProposalThresholds()).ShouldBeEmpty();
    }

    [Fact]
    public void Thresholds_are_configurable()
    {
        GapDetector.Detect([History(1, result: Refused("docs/a.md"))], new ProposalThresholds { Scope = 1 }).ShouldHaveSingleItem();
    }

    private static TaskHistory Planned(long id, params string[] missingSkills) =>
        new(Task(id, TaskState.AwaitingApproval), [Assignment(id)], 0) { MissingSkills = missingSkills };

    [Fact]
    public void The_same_missing_skill_in_the_plans_of_three_tasks_is_one_skill_gap_with_the_tasks_as_evidence()
    {
        var gap = GapDetector.Detect(
            [Planned(1, "API versioning"), Planned(2, "api-versioning", "api-versioning"), Planned(3, ".atom/skills/Api_Versioning.md", "logging")],
            new ProposalThresholds()).ShouldHaveSingleItem();

        gap.Category.ShouldBe(ProposalCategory.Skill);
        gap.Key.ShouldBe("missing:api-versioning");
        gap.SkillName.ShouldBe("api-versioning");
        gap.TaskIds.ShouldBe([1L, 2L, 3L]);
        gap.Evidence.Select(e => e.Issue).ShouldBe([11, 12, 13]);
        gap.Evidence.ShouldAllBe(e => e.Detail == "the plan asked for the skill api-versioning");
    }

    [Fact]
    public void A_missing_skill_named_on_fewer_tasks_than_the_threshold_is_no_gap_until_the_threshold_is_lowered()
    {
        TaskHistory[] histories = [Planned(1, "api-versioning"), Planned(2, "api-versioning")];

        GapDetector.Detect(histories, new ProposalThresholds()).ShouldBeEmpty();
        GapDetector.Detect(histories, new ProposalThresholds { MissingSkill = 2 }).ShouldHaveSingleItem().Key.ShouldBe("missing:api-versioning");
    }

    [Fact]
    public void A_missing_skill_the_default_branch_already_has_is_no_gap()
    {
        GapDetector.Detect([Planned(1, "API versioning"), Planned(2, "api-versioning"), Planned(3, "api-versioning")], new ProposalThresholds(), ["api-versioning"])
            .ShouldBeEmpty();
        GapDetector.Detect([Planned(1, "API versioning"), Planned(2, "api-versioning"), Planned(3, "api-versioning")], new ProposalThresholds(), ["Api Versioning"])
            .ShouldBeEmpty();
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("../..")]
    [InlineData("***")]
    public void Names_with_nothing_of_a_skill_name_left_are_never_a_gap(string name)
    {
        GapDetector.Detect([Planned(1, name), Planned(2, name), Planned(3, name), Planned(4, name)], new ProposalThresholds()).ShouldBeEmpty();
    }

    [Fact]
    public void A_missing_skill_gap_and_a_finding_gap_never_share_a_key()
    {
        var gaps = GapDetector.Detect(
            [
                History(1, feedback: "- error: documentation missing"),
                History(2, feedback: "- error: documentation missing"),
                History(3, feedback: "- error: documentation missing"),
                Planned(4, "documentation-missing"), Planned(5, "documentation missing"), Planned(6, "Documentation Missing"),
            ],
            new ProposalThresholds());

        gaps.Select(g => g.Key).ShouldBe(["documentation missing", "missing:documentation-missing"], ignoreOrder: true);
        gaps.ShouldAllBe(g => g.Category == ProposalCategory.Skill);
    }
}
