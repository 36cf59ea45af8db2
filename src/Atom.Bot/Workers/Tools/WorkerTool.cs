namespace Atom.Bot.Workers.Tools;

/// <summary>
/// One tool the model may call during an assignment: everything about it in one place, so that adding a tool is
/// adding one subclass to <see cref="WorkerToolbox"/>'s list. Instances are stateless and shared by every
/// assignment; the assignment's state is the <see cref="ToolContext"/>.
/// </summary>
internal abstract class WorkerTool
{
    public abstract string Name { get; }

    /// <summary>What the model reads; limits are interpolated from the tool's constants so the text cannot drift from them.</summary>
    public abstract string Description { get; }

    /// <summary>The JSON schema of the arguments object, as sent to the model.</summary>
    public abstract string ParametersSchema { get; }

    /// <summary>A valid arguments object, quoted in the messages about bad arguments so the model can copy it.</summary>
    public virtual string Example => "{}";

    /// <summary>
    /// Runs the call whose arguments are a JSON object. I/O failures may escape as <see cref="IOException"/> or
    /// <see cref="UnauthorizedAccessException"/>; the toolbox turns them into tool errors.
    /// </summary>
    public abstract Task<ToolOutcome> InvokeAsync(ToolArguments arguments, ToolContext context, CancellationToken cancellationToken);

    protected static string Cut(string text, int max) => text.Length <= max ? text : text[..max] + "…";
}
