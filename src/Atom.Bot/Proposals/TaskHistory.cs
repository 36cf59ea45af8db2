using Atom.Bot.Tasks;

namespace Atom.Bot.Proposals;

/// <summary>What gap detection reads about one task: the task, its assignments (with results), and how often its tests timed out.</summary>
public sealed record TaskHistory(AtomTask Task, IReadOnlyList<Assignment> Assignments, int TestTimeouts)
{
    /// <summary>The skills the task's plan named as missing (<c>missing_skills</c> of the plan JSON).</summary>
    public IReadOnlyList<string> MissingSkills { get; init; } = [];
}
