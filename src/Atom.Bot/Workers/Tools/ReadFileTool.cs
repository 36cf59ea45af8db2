using System.Globalization;

namespace Atom.Bot.Workers.Tools;

internal sealed class ReadFileTool : WorkerTool
{
    /// <summary>At most this many bytes of a file are shown, with a note when there is more.</summary>
    public const int MaxBytes = 64 * 1024;

    public override string Name => "read_file";

    public override string Description => string.Create(CultureInfo.InvariantCulture,
        $"Read a text file of the repository. At most {MaxBytes / 1024} KiB are shown.");

    public override string ParametersSchema =>
        """{"type":"object","properties":{"path":{"type":"string","description":"File path relative to the repository root, e.g. 'src/app.py'."}},"required":["path"],"additionalProperties":false}""";

    public override string Example => """{"path": "src/app.py"}""";

    public override async Task<ToolOutcome> InvokeAsync(ToolArguments arguments, ToolContext context, CancellationToken cancellationToken) =>
        arguments.Required("path", out var path) ?? await ReadAsync(path, context, cancellationToken);

    private static async Task<ToolOutcome> ReadAsync(string path, ToolContext context, CancellationToken cancellationToken)
    {
        var decision = context.Guard.Check(path, PathAccess.Read);
        if (!decision.IsAllowed)
        {
            return ToolOutcome.Refused(decision.Violation);
        }

        if (WorktreeFiles.FileProblem(decision) is { } problem)
        {
            return problem;
        }

        var (head, length) = await WorktreeFiles.ReadHeadAsync(decision.FullPath, MaxBytes, cancellationToken);
        if (length == 0)
        {
            return ToolOutcome.Success($"'{decision.RelativePath}' is empty.");
        }

        if (WorktreeFiles.IsBinary(head))
        {
            return ToolOutcome.Success($"'{decision.RelativePath}' is a binary file ({length} bytes); its content is not shown.");
        }

        var text = WorktreeFiles.Utf8.GetString(head, 0, WorktreeFiles.CompleteUtf8Length(head));
        return length > head.Length
            ? ToolOutcome.Success($"{text}\n[truncated: showing the first {head.Length} of {length} bytes of '{decision.RelativePath}']")
            : ToolOutcome.Success(text);
    }
}
