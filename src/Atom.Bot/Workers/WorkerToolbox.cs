using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Atom.Bot.Configuration;
using Atom.Bot.Llm;
using Atom.Bot.Tasks;
using Microsoft.Extensions.Logging;
using OpenAI.Chat;

namespace Atom.Bot.Workers;

/// <summary>
/// The tools of one assignment (DESIGN.md: list_files, read_file, search_code, write_file, delete_file, run_tests,
/// finish), every path checked by the <see cref="ScopeGuard"/> and every change by the cumulative limits before any
/// I/O. Whatever the model sends, the answer is a <see cref="ToolOutcome"/>: bad calls are tool errors it can read,
/// never exceptions. One instance per assignment; calls are sequential (not thread-safe).
/// </summary>
public sealed class WorkerToolbox
{
    /// <summary>read_file shows at most this many bytes of a file, with a note when there is more.</summary>
    public const int MaxReadBytes = 64 * 1024;

    /// <summary>One write_file may carry at most this much content (UTF-8).</summary>
    public const int MaxWriteBytes = 256 * 1024;

    /// <summary>Larger existing files are not changed or deleted (their line count would be too costly to diff).</summary>
    public const int MaxChangeableFileBytes = 1024 * 1024;

    /// <summary>list_files shows at most this many files.</summary>
    public const int MaxListedFiles = 500;

    /// <summary>search_code reports at most this many matching lines, each cut to <see cref="MaxSearchLineChars"/>.</summary>
    public const int MaxSearchMatches = 100;

    public const int MaxSearchLineChars = 200;

    /// <summary>search_code skips larger files (and binary ones).</summary>
    public const int MaxSearchFileBytes = 1024 * 1024;

    /// <summary>search_code stops after reading this much in total, and says so.</summary>
    public const long MaxSearchTotalBytes = 32L * 1024 * 1024;

    /// <summary>The finish summary is cut to this length.</summary>
    public const int MaxSummaryChars = 4000;

    private const int BinaryProbeBytes = 8000;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly ScopeGuard _guard;
    private readonly RepoSettings _settings;
    private readonly TestRunner _tests;
    private readonly ILogger _logger;
    private readonly ChangeLedger _ledger;
    private readonly List<ScopeViolation> _refusals = [];
    private readonly List<string> _toolErrors = [];
    private readonly List<TestRun> _testRuns = [];

    /// <param name="guard">The assignment's scope over its worktree (<see cref="ScopeGuard.WorktreeRoot"/>).</param>
    /// <param name="settings">The default branch's settings: <c>test_command</c> and <c>test_timeout_seconds</c>.</param>
    /// <param name="tests">Runs the test command without Atom's secrets.</param>
    public WorkerToolbox(ScopeGuard guard, RepoSettings settings, TestRunner tests, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(guard);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(tests);
        ArgumentNullException.ThrowIfNull(logger);
        _guard = guard;
        _settings = settings;
        _tests = tests;
        _logger = logger;
        _ledger = new ChangeLedger(guard.Scope.MaxFiles, guard.Scope.MaxChangedLines);
    }

    /// <summary>The tool definitions to offer the model, exactly the tools of DESIGN.md.</summary>
    public static IReadOnlyList<ChatTool> Definitions { get; } =
    [
        Tool("list_files", "List the files you may read, recursively, below a folder of the repository (default: the root). At most 500 files are shown.",
            """{"type":"object","properties":{"path":{"type":"string","description":"Folder relative to the repository root, e.g. 'src' (default: the root)."}},"additionalProperties":false}"""),
        Tool("read_file", "Read a text file of the repository. At most 64 KiB are shown.",
            """{"type":"object","properties":{"path":{"type":"string","description":"File path relative to the repository root, e.g. 'src/app.py'."}},"required":["path"],"additionalProperties":false}"""),
        Tool("search_code", "Search the files you may read for a plain text (not a regular expression, case-insensitive). Returns up to 100 matching lines as path:line: text.",
            """{"type":"object","properties":{"query":{"type":"string","description":"The text to look for."}},"required":["query"],"additionalProperties":false}"""),
        Tool("write_file", "Create or replace a whole file with the given content (parent folders are created). Only paths inside your scope, at most 256 KiB per write.",
            """{"type":"object","properties":{"path":{"type":"string","description":"File path relative to the repository root."},"content":{"type":"string","description":"The complete new content of the file."}},"required":["path","content"],"additionalProperties":false}"""),
        Tool("delete_file", "Delete a file inside your scope.",
            """{"type":"object","properties":{"path":{"type":"string","description":"File path relative to the repository root."}},"required":["path"],"additionalProperties":false}"""),
        Tool("run_tests", "Run the repository's test command in your checkout and see the result and the end of its output.",
            """{"type":"object","properties":{},"additionalProperties":false}"""),
        Tool("finish", "End the assignment. Call this once your changes are complete (or if there is nothing to do), with a short summary of what you changed and why.",
            """{"type":"object","properties":{"summary":{"type":"string","description":"What you changed and why, in a few sentences."}},"required":["summary"],"additionalProperties":false}"""),
    ];

    /// <summary>Every refusal so far, in order.</summary>
    public IReadOnlyList<ScopeViolation> Refusals => _refusals;

    /// <summary>
    /// Tool calls that failed for a reason other than a refusal or a missing file, as <c>tool:failure</c> keys
    /// (<c>unknown:&lt;name&gt;</c> for a tool that does not exist): the evidence of a tooling gap.
    /// </summary>
    public IReadOnlyList<string> ToolErrors => _toolErrors;

    /// <summary>Files that now differ from how they were at the start, sorted.</summary>
    public IReadOnlyList<string> ChangedFiles => _ledger.ChangedFiles;

    public int LinesAdded => _ledger.LinesAdded;

    public int LinesRemoved => _ledger.LinesRemoved;

    public IReadOnlyList<TestRun> TestRuns => _testRuns;

    /// <summary>Runs one tool call of the model; refusals are recorded in <see cref="Refusals"/>. Throws only when cancelled.</summary>
    public async Task<ToolOutcome> InvokeAsync(LlmToolCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var outcome = await Dispatch(call, cancellationToken);
        var tool = Shorten(call.Name);
        if (outcome.Refusal is not null)
        {
            _refusals.Add(outcome.Refusal);
            Log.ToolRefused(_logger, tool, outcome.Refusal.Path, outcome.Refusal.Reason);
        }
        else if (outcome.Failure is { } failure)
        {
            Log.ToolFailed(_logger, tool, failure);
            if (failure is ToolFailure.UnknownTool or ToolFailure.InvalidArguments or ToolFailure.IoError)
            {
                _toolErrors.Add(failure == ToolFailure.UnknownTool ? $"unknown:{tool}" : $"{tool}:{failure}");
            }
        }
        else if (outcome.TestRun is { Status: TestStatus.TimedOut or TestStatus.CouldNotStart or TestStatus.NoSandbox } run)
        {
            // The tool answered, but the test command did not run to its end: a tooling signal like an I/O error.
            _toolErrors.Add($"{tool}:{run.Status}");
        }

        return outcome;
    }

    private async Task<ToolOutcome> Dispatch(LlmToolCall call, CancellationToken cancellationToken)
    {
        if (!Definitions.Any(d => d.FunctionName == call.Name))
        {
            return ToolOutcome.Error(ToolFailure.UnknownTool,
                $"there is no tool named '{Shorten(call.Name)}'. The tools are: {string.Join(", ", Definitions.Select(d => d.FunctionName))}.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(string.IsNullOrWhiteSpace(call.ArgumentsJson) ? "{}" : call.ArgumentsJson);
        }
        catch (JsonException e)
        {
            return ToolOutcome.Error(ToolFailure.InvalidArguments, $"the arguments of {call.Name} are not valid JSON ({e.Message}). Send one JSON object, e.g. {Example(call.Name)}.");
        }

        using (document)
        {
            var args = document.RootElement;
            if (args.ValueKind != JsonValueKind.Object)
            {
                return ToolOutcome.Error(ToolFailure.InvalidArguments, $"the arguments of {call.Name} must be a JSON object, e.g. {Example(call.Name)}.");
            }

            try
            {
                return call.Name switch
                {
                    "list_files" => Optional(args, call.Name, "path", out var path) is { } error ? error : ListFiles(path),
                    "read_file" => Required(args, call.Name, "path", out var path) is { } error ? error : await ReadFile(path, cancellationToken),
                    "search_code" => Required(args, call.Name, "query", out var query) is { } error ? error : await SearchCode(query, cancellationToken),
                    "write_file" => await WriteFile(args, cancellationToken),
                    "delete_file" => Required(args, call.Name, "path", out var path) is { } error ? error : await DeleteFile(path, cancellationToken),
                    "run_tests" => await RunTests(cancellationToken),
                    "finish" => Required(args, call.Name, "summary", out var summary) is { } error ? error : ToolOutcome.Done(Cut(summary.Trim(), MaxSummaryChars)),
                    _ => throw new UnreachableException($"tool {call.Name} is defined but not dispatched"),
                };
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return ToolOutcome.Error(ToolFailure.IoError, $"{call.Name} failed: {e.Message.Replace(_guard.WorktreeRoot + "/", "", StringComparison.Ordinal).Replace(_guard.WorktreeRoot, ".", StringComparison.Ordinal)}");
            }
        }
    }

    private ToolOutcome ListFiles(string? path)
    {
        var decision = _guard.Check(string.IsNullOrEmpty(path) ? "." : path, PathAccess.List);
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

        var files = ReadableFiles(decision.RelativePath).Take(MaxListedFiles + 1).ToList();
        if (files.Count == 0)
        {
            return ToolOutcome.Success($"No files you may read below {shown}.");
        }

        var text = new StringBuilder();
        foreach (var file in files.Take(MaxListedFiles))
        {
            text.AppendLine(file);
        }

        if (files.Count > MaxListedFiles)
        {
            text.Append(CultureInfo.InvariantCulture, $"[only the first {MaxListedFiles} files are shown; list a subfolder to see more]");
        }

        return ToolOutcome.Success(text.ToString().TrimEnd());
    }

    private async Task<ToolOutcome> ReadFile(string path, CancellationToken cancellationToken)
    {
        var decision = _guard.Check(path, PathAccess.Read);
        if (!decision.IsAllowed)
        {
            return ToolOutcome.Refused(decision.Violation);
        }

        if (FileProblem(decision) is { } problem)
        {
            return problem;
        }

        var (head, length) = await ReadHeadAsync(decision.FullPath, MaxReadBytes, cancellationToken);
        if (length == 0)
        {
            return ToolOutcome.Success($"'{decision.RelativePath}' is empty.");
        }

        if (IsBinary(head))
        {
            return ToolOutcome.Success($"'{decision.RelativePath}' is a binary file ({length} bytes); its content is not shown.");
        }

        var text = Utf8.GetString(head, 0, CompleteUtf8Length(head));
        return length > head.Length
            ? ToolOutcome.Success($"{text}\n[truncated: showing the first {head.Length} of {length} bytes of '{decision.RelativePath}']")
            : ToolOutcome.Success(text);
    }

    private async Task<ToolOutcome> SearchCode(string query, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(query) || query.Contains('\n', StringComparison.Ordinal))
        {
            return ToolOutcome.Error(ToolFailure.InvalidArguments, "the query must be some text on one line.");
        }

        var matches = new List<string>();
        var more = false;
        var scanned = 0L;
        string? stoppedAt = null;
        foreach (var file in ReadableFiles(""))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var full = Path.Join(_guard.WorktreeRoot, file);
            var length = new FileInfo(full).Length;
            if (length is 0 or > MaxSearchFileBytes)
            {
                continue;
            }

            if (scanned + length > MaxSearchTotalBytes)
            {
                stoppedAt = file;
                break;
            }

            scanned += length;

            var (bytes, _) = await ReadHeadAsync(full, MaxSearchFileBytes, cancellationToken);
            if (IsBinary(bytes))
            {
                continue;
            }

            var lines = Utf8.GetString(bytes).Split('\n');
            for (var i = 0; i < lines.Length && !more; i++)
            {
                var at = lines[i].IndexOf(query, StringComparison.OrdinalIgnoreCase);
                if (at < 0)
                {
                    continue;
                }

                if (matches.Count == MaxSearchMatches)
                {
                    more = true;
                    break;
                }

                matches.Add($"{file}:{i + 1}: {Excerpt(lines[i], at)}");
            }

            if (more)
            {
                break;
            }
        }

        var text = matches.Count == 0
            ? $"No matches for '{Cut(query, 100)}' in the files you may read."
            : string.Join('\n', matches);
        if (more)
        {
            text += $"\n[only the first {MaxSearchMatches} matches are shown; search for something more specific]";
        }
        else if (stoppedAt is not null)
        {
            text += $"\n[search stopped at '{stoppedAt}' after reading {scanned} bytes; the files after it were not searched]";
        }

        return ToolOutcome.Success(text);
    }

    private async Task<ToolOutcome> WriteFile(JsonElement args, CancellationToken cancellationToken)
    {
        var content = "";
        var error = Required(args, "write_file", "path", out var path);
        error ??= Required(args, "write_file", "content", out content, allowEmpty: true);
        if (error is not null)
        {
            return error;
        }

        var decision = _guard.Check(path, PathAccess.Write);
        if (!decision.IsAllowed)
        {
            return ToolOutcome.Refused(decision.Violation);
        }

        var bytes = Utf8.GetByteCount(content);
        if (bytes > MaxWriteBytes)
        {
            return ToolOutcome.Refused(new ScopeViolation(path, $"would be written with {bytes} bytes; one write may carry at most {MaxWriteBytes} bytes (256 KiB)"));
        }

        if (Directory.Exists(decision.FullPath))
        {
            return ToolOutcome.Error(ToolFailure.WrongKind, $"'{decision.RelativePath}' is a folder, not a file.");
        }

        var original = await OriginalAsync(decision, cancellationToken);
        if (original.Refusal is not null)
        {
            return ToolOutcome.Refused(original.Refusal);
        }

        var refusal = _ledger.Refusal(decision.RelativePath, original.Content, content, out var change);
        if (refusal is not null)
        {
            return ToolOutcome.Refused(new ScopeViolation(path, refusal));
        }

        await WriteAtomicallyAsync(decision.FullPath, content, cancellationToken);
        _ledger.Record(decision.RelativePath, original.Content, content, change);
        Log.FileChanged(_logger, "wrote", decision.RelativePath, LinesAdded, LinesRemoved);
        return ToolOutcome.Success($"Wrote '{decision.RelativePath}' ({bytes} bytes). {Totals()}");
    }

    private async Task<ToolOutcome> DeleteFile(string path, CancellationToken cancellationToken)
    {
        var decision = _guard.Check(path, PathAccess.Delete);
        if (!decision.IsAllowed)
        {
            return ToolOutcome.Refused(decision.Violation);
        }

        if (FileProblem(decision) is { } problem)
        {
            return problem;
        }

        var original = await OriginalAsync(decision, cancellationToken);
        if (original.Refusal is not null)
        {
            return ToolOutcome.Refused(original.Refusal);
        }

        var refusal = _ledger.Refusal(decision.RelativePath, original.Content, null, out var change);
        if (refusal is not null)
        {
            return ToolOutcome.Refused(new ScopeViolation(path, refusal));
        }

        File.Delete(decision.FullPath);
        _ledger.Record(decision.RelativePath, original.Content, null, change);
        Log.FileChanged(_logger, "deleted", decision.RelativePath, LinesAdded, LinesRemoved);
        return ToolOutcome.Success($"Deleted '{decision.RelativePath}'. {Totals()}");
    }

    private async Task<ToolOutcome> RunTests(CancellationToken cancellationToken)
    {
        var run = await _tests.RunAsync(_guard.WorktreeRoot, _settings, cancellationToken);
        _testRuns.Add(run);
        var seconds = run.Duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
        var verdict = run.Status switch
        {
            TestStatus.NotConfigured or TestStatus.CouldNotStart => run.OutputTail,
            TestStatus.NoSandbox => $"The tests were NOT run: Atom runs test commands only inside its sandbox, and the sandbox is unavailable on this server ({run.OutputTail}). This is not a problem with your change and you cannot fix it; do not call run_tests again. Finish your work; the package will say the tests did not run.",
            TestStatus.Passed => $"Tests passed (exit code 0, {seconds} s).",
            TestStatus.Failed => $"Tests failed (exit code {run.ExitCode}, {seconds} s).",
            _ => $"Tests did not finish within {_settings.TestTimeoutSeconds} s; the test command and everything it started were stopped.",
        };
        if (run.Status is TestStatus.NotConfigured or TestStatus.CouldNotStart or TestStatus.NoSandbox)
        {
            return ToolOutcome.Tested(run, verdict);
        }

        var text = new StringBuilder(verdict).AppendLine();
        if (run.Counts is { } counts)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Counts: {counts.Total} total, {counts.Passed} passed, {counts.Failed} failed, {counts.Skipped} skipped.");
        }

        text.AppendLine("Output:").Append(run.OutputTail);
        return ToolOutcome.Tested(run, text.ToString());
    }

    /// <summary>The file's content when the assignment first touches it (null: it does not exist), or why it may not be changed.</summary>
    private async Task<(string? Content, ScopeViolation? Refusal)> OriginalAsync(PathDecision decision, CancellationToken cancellationToken)
    {
        if (_ledger.TryGetOriginal(decision.RelativePath!, out var known))
        {
            return (known, null);
        }

        if (!File.Exists(decision.FullPath))
        {
            return (null, null);
        }

        var (bytes, length) = await ReadHeadAsync(decision.FullPath!, MaxChangeableFileBytes, cancellationToken);
        return length > MaxChangeableFileBytes
            ? (null, new ScopeViolation(decision.RelativePath!, $"is {length} bytes; workers may not change or delete files over {MaxChangeableFileBytes} bytes"))
            : (Utf8.GetString(bytes), null);
    }

    private static ToolOutcome? FileProblem(PathDecision decision)
    {
        if (Directory.Exists(decision.FullPath))
        {
            return ToolOutcome.Error(ToolFailure.WrongKind, $"'{decision.RelativePath}' is a folder; use list_files.");
        }

        return File.Exists(decision.FullPath) ? null : ToolOutcome.Error(ToolFailure.NotFound, $"'{decision.RelativePath}' does not exist.");
    }

    /// <summary>Files below <paramref name="folder"/> the guard lets the model read, depth first in name order; links are never followed.</summary>
    private IEnumerable<string> ReadableFiles(string folder)
    {
        var entries = new DirectoryInfo(folder.Length == 0 ? _guard.WorktreeRoot : Path.Join(_guard.WorktreeRoot, folder))
            .EnumerateFileSystemInfos("*", new EnumerationOptions { IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
        foreach (var entry in entries)
        {
            var relative = folder.Length == 0 ? entry.Name : $"{folder}/{entry.Name}";
            if (entry is DirectoryInfo)
            {
                if (_guard.Check(relative, PathAccess.List).IsAllowed)
                {
                    foreach (var file in ReadableFiles(relative))
                    {
                        yield return file;
                    }
                }
            }
            else if (_guard.Check(relative, PathAccess.Read).IsAllowed)
            {
                yield return relative;
            }
        }
    }

    /// <summary>The first <paramref name="limit"/> bytes and the file's length. An empty file (as FIFOs and devices report) is never opened.</summary>
    private static async Task<(byte[] Head, long Length)> ReadHeadAsync(string fullPath, int limit, CancellationToken cancellationToken)
    {
        var length = new FileInfo(fullPath).Length;
        if (length == 0)
        {
            return ([], 0);
        }

        await using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096, FileOptions.Asynchronous);
        var head = new byte[(int)Math.Min(length, limit)];
        var read = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
        return (read == head.Length ? head : head[..read], length);
    }

    private static async Task WriteAtomicallyAsync(string fullPath, string content, CancellationToken cancellationToken)
    {
        // A new file renamed over the target: a link or hard link that appeared at the target since the check is
        // replaced, never written through.
        var folder = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Join(folder, $".atom-write-{Guid.NewGuid():N}.tmp");
        try
        {
            await File.WriteAllTextAsync(temporary, content, Utf8, cancellationToken);
            if (!OperatingSystem.IsWindows() && File.Exists(fullPath))
            {
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(fullPath));
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static bool IsBinary(byte[] head) => head.AsSpan(0, Math.Min(head.Length, BinaryProbeBytes)).Contains((byte)0);

    /// <summary>The length of <paramref name="bytes"/> without a UTF-8 sequence cut at its end.</summary>
    private static int CompleteUtf8Length(byte[] bytes)
    {
        var end = bytes.Length;
        for (var back = 1; back <= Math.Min(3, bytes.Length); back++)
        {
            var b = bytes[^back];
            if ((b & 0xC0) == 0x80)
            {
                continue;
            }

            var needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return needed > back ? end - back : end;
        }

        return end;
    }

    private static string Excerpt(string line, int at)
    {
        var text = line.TrimEnd('\r');
        if (text.Length <= MaxSearchLineChars)
        {
            return text.Trim();
        }

        var start = Math.Clamp(at - (MaxSearchLineChars / 3), 0, text.Length - MaxSearchLineChars);
        return $"…{text.Substring(start, MaxSearchLineChars)}…";
    }

    private string Totals() =>
        $"Changed so far: {ChangedFiles.Count} of at most {_guard.Scope.MaxFiles} files, +{LinesAdded} -{LinesRemoved} of at most {_guard.Scope.MaxChangedLines} lines.";

    private static ToolOutcome? Required(JsonElement args, string tool, string name, out string value, bool allowEmpty = false)
    {
        value = "";
        if (!args.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return ToolOutcome.Error(ToolFailure.InvalidArguments, $"{tool} needs the argument '{name}' (a string), e.g. {Example(tool)}.");
        }

        if (property.ValueKind != JsonValueKind.String)
        {
            return ToolOutcome.Error(ToolFailure.InvalidArguments, $"the argument '{name}' of {tool} must be a string, e.g. {Example(tool)}.");
        }

        value = property.GetString()!;
        return value.Length == 0 && !allowEmpty
            ? ToolOutcome.Error(ToolFailure.InvalidArguments, $"the argument '{name}' of {tool} is empty.")
            : null;
    }

    private static ToolOutcome? Optional(JsonElement args, string tool, string name, out string? value)
    {
        value = null;
        if (!args.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (property.ValueKind != JsonValueKind.String)
        {
            return ToolOutcome.Error(ToolFailure.InvalidArguments, $"the argument '{name}' of {tool} must be a string, e.g. {Example(tool)}.");
        }

        value = property.GetString();
        return null;
    }

    private static string Example(string tool) => tool switch
    {
        "list_files" => """{"path": "src"}""",
        "read_file" or "delete_file" => """{"path": "src/app.py"}""",
        "search_code" => """{"query": "def main"}""",
        "write_file" => """{"path": "src/app.py", "content": "..."}""",
        "finish" => """{"summary": "..."}""",
        _ => "{}",
    };

    private static string Shorten(string? name) => ScopeViolation.Escape(name ?? "", 100);

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..max] + "…";

    private static ChatTool Tool(string name, string description, string schema) =>
        ChatTool.CreateFunctionTool(name, description, BinaryData.FromString(schema));
}
