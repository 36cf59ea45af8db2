using System.Globalization;
using Atom.Bot.Tasks;

namespace Atom.Bot.Workers.Tools;

internal sealed class WriteFileTool : WorkerTool
{
    /// <summary>One write may carry at most this much content (UTF-8).</summary>
    public const int MaxBytes = 256 * 1024;

    public override string Name => "write_file";

    public override string Description => string.Create(CultureInfo.InvariantCulture,
        $"Create or replace a whole file with the given content (parent folders are created). Only paths inside your scope, at most {MaxBytes / 1024} KiB per write.");

    public override string ParametersSchema =>
        """{"type":"object","properties":{"path":{"type":"string","description":"File path relative to the repository root."},"content":{"type":"string","description":"The complete new content of the file."}},"required":["path","content"],"additionalProperties":false}""";

    public override string Example => """{"path": "src/app.py", "content": "..."}""";

    public override async Task<ToolOutcome> InvokeAsync(ToolArguments arguments, ToolContext context, CancellationToken cancellationToken)
    {
        var content = "";
        var error = arguments.Required("path", out var path);
        error ??= arguments.Required("content", out content, allowEmpty: true);
        if (error is not null)
        {
            return error;
        }

        var decision = context.Guard.Check(path, PathAccess.Write);
        if (!decision.IsAllowed)
        {
            return ToolOutcome.Refused(decision.Violation);
        }

        var bytes = WorktreeFiles.Utf8.GetByteCount(content);
        if (bytes > MaxBytes)
        {
            return ToolOutcome.Refused(new ScopeViolation(path, $"would be written with {bytes} bytes; one write may carry at most {MaxBytes} bytes ({MaxBytes / 1024} KiB)"));
        }

        if (Directory.Exists(decision.FullPath))
        {
            return ToolOutcome.Error(ToolFailure.WrongKind, $"'{decision.RelativePath}' is a folder, not a file.");
        }

        var original = await context.OriginalAsync(decision, cancellationToken);
        if (original.Refusal is not null)
        {
            return ToolOutcome.Refused(original.Refusal);
        }

        if (await context.ChangeAsync(path, decision, original.Content, content, "wrote", cancellationToken) is { } refused)
        {
            return refused;
        }

        return ToolOutcome.Success($"Wrote '{decision.RelativePath}' ({bytes} bytes). {context.Totals()}");
    }
}
