namespace Atom.Bot.Tasks;

/// <summary>The supervisor's decomposition of a task, after validation.</summary>
/// <param name="Fallback">Why the model's plan was not used (one assignment with the repository scope instead), or null.</param>
public sealed record Plan(string Rationale, IReadOnlyList<PlannedAssignment> Assignments, string? Fallback = null)
{
    /// <summary>
    /// Skills the model would have wanted for this work and the repository lacks, as plain skill names
    /// (<see cref="SkillNames.NormaliseName"/>); evidence for a skill proposal, never an instruction.
    /// </summary>
    public IReadOnlyList<string> MissingSkills { get; init; } = [];
}
