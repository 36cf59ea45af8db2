using System.Globalization;
using Atom.Bot.Tasks;

namespace Atom.Bot.Workers.Tools;

/// <summary>
/// <c>edit_file(path, old_text, new_text)</c>: replaces exactly one occurrence of a piece of the file, so a change to a
/// long file costs the few lines it touches instead of the whole file twice (read, then write). Zero or several
/// occurrences change nothing and say how many and on which lines, so the model can quote more context. Scope, size
/// and the ledger's limits apply as to every write.
/// </summary>
internal sealed class EditFileTool : WorkerTool
{
    /// <summary>Line numbers of at most this many occurrences are named when there are several.</summary>
    public const int MaxNamedOccurrences = 10;

    public override string Name => "edit_file";

    public override string Description => string.Create(CultureInfo.InvariantCulture,
        $"Replace one exact piece of an existing file: old_text must occur exactly once (copy it from read_file without the line numbers, with enough surrounding lines to be unique); new_text replaces it. Use write_file for new files. Only files inside your scope.");

    public override string ParametersSchema =>
        """{"type":"object","properties":{"path":{"type":"string","description":"File path relative to the repository root."},"old_text":{"type":"string","description":"The exact text to replace, as it is in the file, occurring exactly once."},"new_text":{"type":"string","description":"The text to put in its place (may be empty to remove it)."}},"required":["path","old_text","new_text"],"additionalProperties":false}""";

    public override string Example => """{"path": "src/app.py", "old_text": "    return a - b\n", "new_text": "    return a + b\n"}""";

    public override async Task<ToolOutcome> InvokeAsync(ToolArguments arguments, ToolContext context, CancellationToken cancellationToken)
    {
        string oldText = "", newText = "";
        var error = arguments.Required("path", out var path)
            ?? arguments.Required("old_text", out oldText)
            ?? arguments.Required("new_text", out newText, allowEmpty: true);
        if (error is not null)
        {
            return error;
        }

        var (decision, original, stop) = await context.ExistingFileAsync(path, PathAccess.Write, cancellationToken);
        if (stop is not null)
        {
            return stop;
        }

        var (head, length) = await WorktreeFiles.ReadHeadAsync(decision.FullPath!, ToolContext.MaxChangeableFileBytes, cancellationToken);
        if (WorktreeFiles.IsBinary(head))
        {
            return ToolOutcome.Error(ToolFailure.WrongKind, $"'{decision.RelativePath}' is a binary file ({length} bytes); it cannot be edited as text.");
        }

        var current = WorktreeFiles.Utf8.GetString(head);
        var occurrences = Occurrences(current, oldText);
        if (occurrences.Count != 1)
        {
            return ToolOutcome.Error(ToolFailure.InvalidArguments, occurrences.Count == 0
                ? $"old_text does not occur in '{decision.RelativePath}' (it must match exactly, spaces and line ends included, without read_file's line numbers). Nothing was changed."
                : $"old_text occurs {occurrences.Count} times in '{decision.RelativePath}', at lines {string.Join(", ", occurrences.Take(MaxNamedOccurrences).Select(o => LineOf(current, o)))}{(occurrences.Count > MaxNamedOccurrences ? ", ..." : "")}; quote more of the surrounding text so that it occurs once. Nothing was changed.");
        }

        var content = string.Concat(current.AsSpan(0, occurrences[0]), newText, current.AsSpan(occurrences[0] + oldText.Length));
        var bytes = WorktreeFiles.Utf8.GetByteCount(content);
        if (bytes > WriteFileTool.MaxBytes)
        {
            return ToolOutcome.Refused(new ScopeViolation(path, $"would be {bytes} bytes after the edit; a file Atom writes may have at most {WriteFileTool.MaxBytes} bytes ({WriteFileTool.MaxBytes / 1024} KiB)"));
        }

        if (await context.ChangeAsync(path, decision, original, content, "edited", cancellationToken) is { } refused)
        {
            return refused;
        }

        return ToolOutcome.Success($"Edited '{decision.RelativePath}' at line {LineOf(current, occurrences[0])}. {context.Totals()}");
    }

    private static List<int> Occurrences(string text, string piece)
    {
        var found = new List<int>();
        for (var at = text.IndexOf(piece, StringComparison.Ordinal); at >= 0; at = text.IndexOf(piece, at + 1, StringComparison.Ordinal))
        {
            found.Add(at);
        }

        return found;
    }

    private static int LineOf(string text, int index) => text.AsSpan(0, index).Count('\n') + 1;
}
