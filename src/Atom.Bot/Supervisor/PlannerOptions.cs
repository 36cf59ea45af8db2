using Atom.Bot.Configuration;

namespace Atom.Bot.Supervisor;

/// <summary>The part of <see cref="AtomOptions"/> that <see cref="Planner"/> needs: how many assignments a plan may have.</summary>
public sealed record PlannerOptions
{
    public required int MaxAssignments { get; init; }

    public static PlannerOptions From(AtomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new PlannerOptions { MaxAssignments = options.MaxAssignments };
    }
}
