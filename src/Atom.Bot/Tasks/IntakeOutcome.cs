namespace Atom.Bot.Tasks;

/// <summary>What task intake made of a label, an unlabel, a closed issue or a <c>/cancel</c>.</summary>
public sealed record IntakeOutcome(IntakeOutcomeKind Kind, string Reason)
{
    public static IntakeOutcome Ignored(string why) => new(IntakeOutcomeKind.Ignored, why);

    public static IntakeOutcome Refused(string why) => new(IntakeOutcomeKind.Refused, why);

    public static IntakeOutcome Accepted(AtomTask task) => new(IntakeOutcomeKind.Accepted, $"task {task.Id}");

    public static IntakeOutcome Cancelled(AtomTask task) => new(IntakeOutcomeKind.Cancelled, $"task {task.Id}");

    /// <summary>As the delivery row stores it (<c>ignored: …</c>, <c>refused: …</c>, <c>accepted: task 4</c>, <c>cancelled: task 4</c>).</summary>
    public string Text => $"{Kind.ToString().ToLowerInvariant()}: {Reason}";

    public override string ToString() => Text;
}
