namespace Atom.Bot.Workers.Tools;

internal sealed class FinishTool : WorkerTool
{
    /// <summary>The summary is cut to this length.</summary>
    public const int MaxSummaryChars = 4000;

    public override string Name => "finish";

    public override string Description => "End the assignment. Call this once your changes are complete (or if there is nothing to do), with a short summary of what you changed and why.";

    public override string ParametersSchema =>
        """{"type":"object","properties":{"summary":{"type":"string","description":"What you changed and why, in a few sentences."}},"required":["summary"],"additionalProperties":false}""";

    public override string Example => """{"summary": "..."}""";

    public override Task<ToolOutcome> InvokeAsync(ToolArguments arguments, ToolContext context, CancellationToken cancellationToken) =>
        Task.FromResult(arguments.Required("summary", out var summary) ?? ToolOutcome.Done(Cut(summary.Trim(), MaxSummaryChars)));
}
