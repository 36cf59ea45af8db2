using Atom.Bot.Tasks;

namespace Atom.Bot.Proposals;

/// <summary>What gap detection reads about one task: the task, its assignments (with results), and how often its tests timed out.</summary>
public sealed record TaskHistory(AtomTask Task, IReadOnlyList<Assignment> Assignments, int TestTimeouts);
