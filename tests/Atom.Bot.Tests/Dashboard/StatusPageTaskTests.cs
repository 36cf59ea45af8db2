using Atom.Bot.Dashboard;
using Atom.Bot.Health;
using Atom.Bot.Tasks;

namespace Atom.Bot.Tests.Dashboard;

public sealed class StatusPageTaskTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private static readonly PlatformState Normal = PlatformState.Initial(Now);
    private static readonly PlatformState Critical = new(PlatformLevel.Critical, "thermal level 3", Now, null);

    [Theory]
    [InlineData(TaskState.Accepted, "its turn to be planned")]
    [InlineData(TaskState.Planning, null)]
    [InlineData(TaskState.Working, null)]
    [InlineData(TaskState.Evaluating, null)]
    [InlineData(TaskState.AwaitingApproval, "approval: 1 valid approval(s) of 0123456")]
    [InlineData(TaskState.MergeBlocked, "a rule of the base branch: required check 'ci' has not passed")]
    [InlineData(TaskState.MergeQueued, "GitHub's merge queue")]
    [InlineData(TaskState.Merged, null)]
    [InlineData(TaskState.Rejected, null)]
    [InlineData(TaskState.Failed, "a human: /retry or /revise (or /reject)")]
    [InlineData(TaskState.Cancelled, "a human: /retry or /revise (or /reject)")]
    public void WaitingFor_names_what_each_state_waits_for(TaskState state, string? expected) =>
        Row(state).WaitingFor(Normal).ShouldBe(expected);

    [Fact]
    public void WaitingFor_a_new_task_while_the_platform_is_critical_names_the_platform()
    {
        Row(TaskState.Accepted).WaitingFor(Critical).ShouldBe("the platform: critical (thermal level 3); new tasks start when it is not");
        Row(TaskState.Working).WaitingFor(Critical).ShouldBeNull();
    }

    private static StatusPageTask Row(TaskState state) => new(new AtomTask
    {
        Id = 1,
        Repository = "octo-org/widgets",
        RepositoryId = 42,
        CloneUrl = "https://example.invalid/widgets.git",
        DefaultBranch = "main",
        IssueNumber = 7,
        IssueTitle = "Add a greeting",
        IssueBody = "",
        IssueBodyClean = "",
        RequestedBy = "octocat",
        State = state,
        StateReason = state == TaskState.MergeBlocked ? "required check 'ci' has not passed" : null,
        HeadSha = "0123456789abcdef",
        CreatedAt = Now,
        UpdatedAt = Now,
    }, 100, 20, 1);
}
