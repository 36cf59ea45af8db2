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
        var (decision, original, stop) = await context.ExistingFileAsync(path, PathAccess.Delete, cancellationToken);
        return stop
            ?? await context.ChangeAsync(path, decision, original, null, "deleted", cancellationToken)
            ?? ToolOutcome.Success($"Deleted '{decision.RelativePath}'. {context.Totals()}");
    }
}
