using Atom.Bot.Workers;

namespace Atom.Bot.Tasks;

/// <summary>One bounded unit of work of a task's round, as the store holds it.</summary>
public sealed record Assignment
{
    public required long Id { get; init; }
    public required long TaskId { get; init; }
    public required int Round { get; init; }

    /// <summary>1-based position in the plan (the <c>k</c> of the assignment branch).</summary>
    public required int Ordinal { get; init; }

    public required string Title { get; init; }
    public required string Instructions { get; init; }

    /// <summary>Findings or a reviewer's words that this round must address; null in the first round.</summary>
    public string? Feedback { get; init; }

    public required Scope Scope { get; init; }
    public required string Branch { get; init; }
    public required AssignmentState State { get; init; }
    public required int Attempts { get; init; }
    public string? ClaimId { get; init; }

    /// <summary>The instance (<c>InstanceRegistry.Id</c>) that made the current or last claim.</summary>
    public string? ClaimedBy { get; init; }
    public AssignmentResult? Result { get; init; }
}
