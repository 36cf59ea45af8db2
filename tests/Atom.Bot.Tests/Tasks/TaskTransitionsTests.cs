using Atom.Bot.Tasks;

namespace Atom.Bot.Tests.Tasks;

public sealed class TaskTransitionsTests
{
    [Fact]
    public void Only_merged_and_rejected_are_final_because_no_move_leaves_them()
    {
        Enum.GetValues<TaskState>().Where(s => s.IsFinal()).ShouldBe([TaskState.Merged, TaskState.Rejected], ignoreOrder: true);
    }

    [Theory]
    [InlineData(TaskState.Failed, "revise")]
    [InlineData(TaskState.Failed, "retry round")]
    [InlineData(TaskState.Failed, "reject")]
    [InlineData(TaskState.Cancelled, "retry planning")]
    public void Failed_and_cancelled_are_ended_but_a_human_can_still_move_them(TaskState state, string move)
    {
        state.IsEnded().ShouldBeTrue();
        state.IsFinal().ShouldBeFalse();
        TaskTransitions.All.Single(t => t.Name == move).Allows(state).ShouldBeTrue();
    }

    [Fact]
    public void Every_state_is_reached_from_accepted_and_every_active_state_can_end()
    {
        var reached = new HashSet<TaskState> { TaskState.Accepted };
        for (var added = true; added;)
        {
            added = false;
            foreach (var transition in TaskTransitions.All.Where(t => t.From.Any(reached.Contains)))
            {
                added |= reached.Add(transition.To);
            }
        }

        reached.ShouldBe(Enum.GetValues<TaskState>(), ignoreOrder: true);
        foreach (var state in TaskStates.Active)
        {
            TaskTransitions.All.ShouldContain(t => t.Allows(state) && t.To.IsEnded(), $"{state} has no way to end");
        }
    }

    [Fact]
    public void Move_names_are_unique_and_every_move_changes_the_state()
    {
        TaskTransitions.All.Select(t => t.Name).ShouldBeUnique();
        TaskTransitions.All.ShouldAllBe(t => t.From.Count > 0 && !t.From.Contains(t.To));
    }

    [Fact]
    public void The_workflow_page_shows_the_table_the_code_has()
    {
        RepositoryFiles.UpdateSectionWhenAsked("docs/workflow.md", "task-transitions", TaskTransitions.MarkdownTable());
        RepositoryFiles.Section("docs/workflow.md", "task-transitions").ShouldBe(
            TaskTransitions.MarkdownTable().ReplaceLineEndings("\n"),
            "docs/workflow.md's task-transitions section must be TaskTransitions.MarkdownTable(): run the tests once with UPDATE_DOCS=1 to rewrite it");
    }
}
