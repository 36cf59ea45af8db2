using Atom.Bot.Configuration;
using Atom.Bot.Tasks;
using Microsoft.Extensions.Logging;

namespace Atom.Bot.Workers.Tools;

/// <summary>The state of one assignment that its tools share: the scope, the settings, the change so far and the test runs.</summary>
internal sealed class ToolContext(ScopeGuard guard, RepoSettings settings, TestRunner tests, ILogger logger)
{
    /// <summary>Larger existing files are not changed or deleted (their line count would be too costly to diff).</summary>
    public const int MaxChangeableFileBytes = 1024 * 1024;

    public ScopeGuard Guard { get; } = guard;

    public RepoSettings Settings { get; } = settings;

    public TestRunner Tests { get; } = tests;

    public ILogger Logger { get; } = logger;

    public ChangeLedger Ledger { get; } = new(guard.Scope.MaxFiles, guard.Scope.MaxChangedLines);

    public List<TestRun> TestRuns { get; } = [];

    /// <summary>Files below <paramref name="folder"/> the guard lets the model read, depth first in name order; links are never followed.</summary>
    public IEnumerable<string> ReadableFiles(string folder)
    {
        var entries = new DirectoryInfo(folder.Length == 0 ? Guard.WorktreeRoot : Path.Join(Guard.WorktreeRoot, folder))
            .EnumerateFileSystemInfos("*", new EnumerationOptions { IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
        foreach (var entry in entries)
        {
            var relative = folder.Length == 0 ? entry.Name : $"{folder}/{entry.Name}";
            if (entry is DirectoryInfo)
            {
                if (Guard.Check(relative, PathAccess.List).IsAllowed)
                {
                    foreach (var file in ReadableFiles(relative))
                    {
                        yield return file;
                    }
                }
            }
            else if (Guard.Check(relative, PathAccess.Read).IsAllowed)
            {
                yield return relative;
            }
        }
    }

    /// <summary>The file's content when the assignment first touches it (null: it does not exist), or why it may not be changed.</summary>
    public async Task<(string? Content, ScopeViolation? Refusal)> OriginalAsync(PathDecision decision, CancellationToken cancellationToken)
    {
        if (Ledger.TryGetOriginal(decision.RelativePath!, out var known))
        {
            return (known, null);
        }

        if (!File.Exists(decision.FullPath))
        {
            return (null, null);
        }

        var (bytes, length) = await WorktreeFiles.ReadHeadAsync(decision.FullPath!, MaxChangeableFileBytes, cancellationToken);
        return length > MaxChangeableFileBytes
            ? (null, new ScopeViolation(decision.RelativePath!, $"is {length} bytes; workers may not change or delete files over {MaxChangeableFileBytes} bytes"))
            : (WorktreeFiles.Utf8.GetString(bytes), null);
    }

    /// <summary>
    /// The start every change of an existing file shares (<c>edit_file</c>, <c>delete_file</c>): the scope's answer for
    /// <paramref name="access"/>, the file's existence and kind, and its content when the assignment first touched it;
    /// or the outcome that ends the call.
    /// </summary>
    public async Task<(PathDecision Decision, string? Original, ToolOutcome? Stop)> ExistingFileAsync(string path, PathAccess access, CancellationToken cancellationToken)
    {
        var decision = Guard.Check(path, access);
        if (!decision.IsAllowed)
        {
            return (decision, null, ToolOutcome.Refused(decision.Violation));
        }

        if (WorktreeFiles.FileProblem(decision) is { } problem)
        {
            return (decision, null, problem);
        }

        var original = await OriginalAsync(decision, cancellationToken);
        return (decision, original.Content, original.Refusal is null ? null : ToolOutcome.Refused(original.Refusal));
    }

    /// <summary>
    /// The end every change shares: the cumulative limits' verdict, then the write (atomic; null <paramref name="content"/>
    /// deletes), the ledger and the log line, for a path the scope allowed. Null when the change was made, else the refusal.
    /// </summary>
    public async Task<ToolOutcome?> ChangeAsync(string path, PathDecision decision, string? original, string? content, string verb, CancellationToken cancellationToken)
    {
        var refusal = Ledger.Refusal(decision.RelativePath!, original, content, out var change);
        if (refusal is not null)
        {
            return ToolOutcome.Refused(new ScopeViolation(path, refusal));
        }

        if (content is null)
        {
            File.Delete(decision.FullPath!);
        }
        else
        {
            await WorktreeFiles.WriteAtomicallyAsync(decision.FullPath!, content, cancellationToken);
        }

        Ledger.Record(decision.RelativePath!, original, content, change);
        Log.FileChanged(Logger, verb, decision.RelativePath!, Ledger.LinesAdded, Ledger.LinesRemoved);
        return null;
    }

    public string Totals() =>
        $"Changed so far: {Ledger.ChangedFiles.Count} of at most {Guard.Scope.MaxFiles} files, +{Ledger.LinesAdded} -{Ledger.LinesRemoved} of at most {Guard.Scope.MaxChangedLines} lines.";
}
