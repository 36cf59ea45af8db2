using Atom.Bot.Supervisor;
using Atom.Bot.Tests.Configuration;

namespace Atom.Bot.Tests.Supervisor;

public sealed class PlannerOptionsTests
{
    [Fact]
    public void From_copies_the_most_assignments_a_plan_may_have()
    {
        PlannerOptions.From(SampleAtomOptions.Create()).MaxAssignments.ShouldBe(6);
    }
}
