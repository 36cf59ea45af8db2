using System.Globalization;
using System.Text;

namespace Atom.Bot.Workers.Tools;

/// <summary>
/// <c>read_file(path, start_line?, end_line?)</c>: the file's lines, numbered, in a window of at most
/// <see cref="MaxLines"/> lines and <see cref="MaxBytes"/>: a long file is read in windows instead of being cut, so a
/// model with a small context can still reach line 3,000 (SWE-agent's lesson: windowed reads beat whole-file dumps).
/// </summary>
internal sealed class ReadFileTool : WorkerTool
{
    /// <summary>At most this many lines are shown at once.</summary>
    public const int MaxLines = 400;

    /// <summary>At most this many bytes of text are shown at once.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>Files up to this size can be read in windows; of a larger one only the start is shown.</summary>
    public const int MaxFileBytes = 4 * 1024 * 1024;

    public override string Name => "read_file";

    public override string Description => string.Create(CultureInfo.InvariantCulture,
        $"Read a text file of the repository. Lines come numbered ('12\\t...'; the number and tab are not part of the file). At most {MaxLines} lines or {MaxBytes / 1024} KiB at once: for a longer file give start_line and end_line to read the next window.");

    public override string ParametersSchema =>
        """{"type":"object","properties":{"path":{"type":"string","description":"File path relative to the repository root, e.g. 'src/app.py'."},"start_line":{"type":"integer","description":"First line to show (1-based). Default 1."},"end_line":{"type":"integer","description":"Last line to show. Default: as many as fit."}},"required":["path"],"additionalProperties":false}""";

    public override string Example => """{"path": "src/app.py", "start_line": 1, "end_line": 200}""";

    public override async Task<ToolOutcome> InvokeAsync(ToolArguments arguments, ToolContext context, CancellationToken cancellationToken)
    {
        int? start = null, end = null;
        var error = arguments.Required("path", out var path) ?? arguments.OptionalInteger("start_line", 1, out start) ?? arguments.OptionalInteger("end_line", 1, out end);
        if (error is not null)
        {
            return error;
        }

        if (start is not null && end is not null && end < start)
        {
            return ToolOutcome.Error(ToolFailure.InvalidArguments, $"end_line ({end}) is before start_line ({start}).");
        }

        return await ReadAsync(path, start ?? 1, end, context, cancellationToken);
    }

    private static async Task<ToolOutcome> ReadAsync(string path, int start, int? end, ToolContext context, CancellationToken cancellationToken)
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

        var (head, length) = await WorktreeFiles.ReadHeadAsync(decision.FullPath, MaxFileBytes, cancellationToken);
        if (length == 0)
        {
            return ToolOutcome.Success($"'{decision.RelativePath}' is empty.");
        }

        if (WorktreeFiles.IsBinary(head))
        {
            return ToolOutcome.Success($"'{decision.RelativePath}' is a binary file ({length} bytes); its content is not shown.");
        }

        var lines = WorktreeFiles.Utf8.GetString(head, 0, WorktreeFiles.CompleteUtf8Length(head)).Split('\n');
        var total = lines.Length > 1 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        var partial = length > head.Length;
        if (start > total)
        {
            return ToolOutcome.Error(ToolFailure.InvalidArguments, $"'{decision.RelativePath}' has {total} line(s){(partial ? " in its first 4 MiB" : "")}; start_line {start} is past the end.");
        }

        var shown = new StringBuilder();
        var last = start - 1;
        var limit = Math.Min(end ?? int.MaxValue, Math.Min(total, start + MaxLines - 1));
        var cut = false;
        for (var number = start; number <= limit; number++)
        {
            var text = lines[number - 1].TrimEnd('\r');
            if (number == start && text.Length > MaxBytes)
            {
                // One line longer than a window (minified code, data): its start, and the note says so.
                text = text[..MaxBytes];
                cut = true;
            }

            var line = $"{number}\t{text}\n";
            if (shown.Length + line.Length > MaxBytes && number > start)
            {
                break;
            }

            shown.Append(line);
            last = number;
        }

        if (cut)
        {
            shown.Append(CultureInfo.InvariantCulture, $"[line {start} is longer than {MaxBytes / 1024} KiB; only its start is shown]\n");
        }

        if (start == 1 && last == total && !partial && !cut)
        {
            return ToolOutcome.Success(shown.ToString());
        }

        var window = $"[lines {start}-{last} of {total}{(partial ? $" (the file has {length} bytes; only its first {MaxFileBytes / (1024 * 1024)} MiB can be read)" : "")} of '{decision.RelativePath}'";
        var next = last < total ? $"; read on with start_line {last + 1}]" : "]";
        return ToolOutcome.Success(shown + window + next);
    }
}
