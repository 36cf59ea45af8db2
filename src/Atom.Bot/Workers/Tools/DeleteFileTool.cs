using Atom.Bot.Tasks;

namespace Atom.Bot.Workers.Tools;

internal sealed class DeleteFileTool : WorkerTool
{
    public override string Name => "delete_file";

    public override string Description => "Delete a file inside your scope.";

    public override string ParametersSchema =>
        """{"type":"object","properties":{"path":{"type":"string","description":"File path relative to the repository root."}},"required":["path"],"additionalProperties":false}""";

    public override string Example => """{"path": "src/app.py"}""";

    public override async Task<ToolOutcome> InvokeAsync(ToolArguments arguments, ToolContext context, CancellationToken cancellationToken) =>
        arguments.Required("path", out var path) ?? await DeleteAsync(path, context, cancellationToken);

    private static async Task<ToolOutcome> DeleteAsync(string path, ToolContext context, CancellationToken cancellationToken)
    {
        var decision = context.Guard.Check(path, PathAccess.Delete);
        if (!decision.IsAllowed)
        {
            return ToolOutcome.Refused(decision.Violation);
        }

        if (WorktreeFiles.FileProblem(decision) is { } problem)
        {
            return problem;
        }

        var original = await context.OriginalAsync(decision, cancellationToken);
        if (original.Refusal is not null)
        {
            return ToolOutcome.Refused(original.Refusal);
        }

        var refusal = context.Ledger.Refusal(decision.RelativePath, original.Content, null, out var change);
        if (refusal is not null)
        {
            return ToolOutcome.Refused(new ScopeViolation(path, refusal));
        }

        File.Delete(decision.FullPath);
        context.Ledger.Record(decision.RelativePath, original.Content, null, change);
        Log.FileChanged(context.Logger, "deleted", decision.RelativePath, context.Ledger.LinesAdded, context.Ledger.LinesRemoved);
        return ToolOutcome.Success($"Deleted '{decision.RelativePath}'. {context.Totals()}");
    }
}
