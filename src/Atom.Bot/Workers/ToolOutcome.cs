using Atom.Bot.Tasks;

namespace Atom.Bot.Workers;

/// <summary>
/// The result of one worker tool call. <see cref="Content"/> is what the model sees as the tool message; the rest
/// is for the agent loop: <see cref="Failure"/> (null on success), the <see cref="Refusal"/> to record, whether the
/// model called <c>finish</c> (with its <see cref="Summary"/>), and the <see cref="TestRun"/> of <c>run_tests</c>.
/// </summary>
public sealed record ToolOutcome(string Content, ToolFailure? Failure, ScopeViolation? Refusal, bool Finished, string? Summary, TestRun? TestRun)
{
    public bool IsError => Failure is not null;

    public static ToolOutcome Success(string content) => new(content, null, null, false, null, null);

    public static ToolOutcome Error(ToolFailure failure, string message) => new($"Error: {message}", failure, null, false, null, null);

    public static ToolOutcome Refused(ScopeViolation violation)
    {
        ArgumentNullException.ThrowIfNull(violation);
        return new(violation.ToToolMessage(), ToolFailure.Refused, violation, false, null, null);
    }

    public static ToolOutcome Done(string summary) => new("Finished.", null, null, true, summary, null);

    public static ToolOutcome Tested(TestRun run, string content) => new(content, null, null, false, null, run);
}
