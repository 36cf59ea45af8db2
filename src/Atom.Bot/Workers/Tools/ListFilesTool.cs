using System.Globalization;
using System.Text;

namespace Atom.Bot.Workers.Tools;

internal sealed class ListFilesTool : WorkerTool
{
    /// <summary>At most this many files are shown, with a note when there are more.</summary>
    public const int MaxFiles = 500;

    public override string Name => "list_files";

    public override string Description => string.Create(CultureInfo.InvariantCulture,
        $"List the files you may read, recursively, below a folder of the repository (default: the root). At most {MaxFiles} files are shown.");

    // "path" may be left out (the root). Strict mode would need it required with the type ["string","null"]; that
    // changes what the model is offered, so it is left for a change of its own rather than this file's layout.
    public override string ParametersSchema =>
        """{"type":"object","properties":{"path":{"type":"string","description":"Folder relative to the repository root, e.g. 'src' (default: the root)."}},"additionalProperties":false}""";

    public override string Example => """{"path": "src"}""";

    public override Task<ToolOutcome> InvokeAsync(ToolArguments arguments, ToolContext context, CancellationToken cancellationToken) =>
        Task.FromResult(arguments.Optional("path", out var path) ?? List(path, context));

    private static ToolOutcome List(string? path, ToolContext context)
    {
        var decision = context.Guard.Check(string.IsNullOrEmpty(path) ? "." : path, PathAccess.List);
        if (!decision.IsAllowed)
        {
            return ToolOutcome.Refused(decision.Violation);
        }

        var shown = decision.RelativePath.Length == 0 ? "the repository root" : $"'{decision.RelativePath}'";
        if (!Directory.Exists(decision.FullPath))
        {
            return File.Exists(decision.FullPath)
                ? ToolOutcome.Error(ToolFailure.WrongKind, $"'{decision.RelativePath}' is a file; use read_file.")
                : ToolOutcome.Error(ToolFailure.NotFound, $"the folder {shown} does not exist.");
        }

        var files = context.ReadableFiles(decision.RelativePath).Take(MaxFiles + 1).ToList();
        if (files.Count == 0)
        {
            return ToolOutcome.Success($"No files you may read below {shown}.");
        }

        var text = new StringBuilder();
        foreach (var file in files.Take(MaxFiles))
        {
            text.AppendLine(file);
        }

        if (files.Count > MaxFiles)
        {
            text.Append(CultureInfo.InvariantCulture, $"[only the first {MaxFiles} files are shown; list a subfolder to see more]");
        }

        return ToolOutcome.Success(text.ToString().TrimEnd());
    }
}
