namespace Atom.Bot.Workers;

/// <summary>
/// What <c>ATOM_GIT_SIGNING</c> and the base branch's rulesets ask of one commit: <see cref="Method"/>, whether the base
/// requires signatures (<see cref="RequiredByBase"/>), and <see cref="Problem"/> when what is asked cannot be done.
/// </summary>
public sealed record SigningPlan(CommitSigningMethod Method, bool RequiredByBase, string? Problem = null)
{
    /// <summary>The commit will be plain although the base requires signatures (<c>ATOM_GIT_SIGNING=none</c>).</summary>
    public bool RefusedForNoSignature => Method == CommitSigningMethod.None && RequiredByBase;
}
