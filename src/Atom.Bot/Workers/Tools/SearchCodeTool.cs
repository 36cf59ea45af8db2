using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.FileSystemGlobbing;

namespace Atom.Bot.Workers.Tools;

internal sealed class SearchCodeTool : WorkerTool
{
    /// <summary>At most this many matching lines are reported, each cut to <see cref="MaxLineChars"/>.</summary>
    public const int MaxMatches = 100;

    public const int MaxLineChars = 200;

    /// <summary>Larger files are skipped (as binary ones are).</summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>The search stops after reading this much in total, and says so.</summary>
    public const long MaxTotalBytes = 32L * 1024 * 1024;

    /// <summary>The query is quoted back at most this long when nothing matches.</summary>
    private const int MaxQuotedQueryChars = 100;

    /// <summary>A regular expression gets this many milliseconds per line: a pattern that backtracks without end is stopped, not waited for.</summary>
    public const int RegexMillisecondsPerLine = 50;

    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(RegexMillisecondsPerLine);

    public override string Name => "search_code";

    public override string Description => string.Create(CultureInfo.InvariantCulture,
        $"Search the files you may read, case-insensitively, for a plain text, or a .NET regular expression with regex: true; path_glob narrows the files (e.g. 'src/**/*.cs'). Returns up to {MaxMatches} matching lines as path:line: text.");

    public override string ParametersSchema =>
        """{"type":"object","properties":{"query":{"type":"string","description":"The text (or regular expression) to look for, on one line."},"regex":{"type":"boolean","description":"Read query as a regular expression. Default false."},"path_glob":{"type":"string","description":"Only files matching this glob: * within a folder name, ** for any folders, e.g. 'src/**/*.py'."}},"required":["query"],"additionalProperties":false}""";

    public override string Example => """{"query": "def main", "path_glob": "src/**/*.py"}""";

    public override async Task<ToolOutcome> InvokeAsync(ToolArguments arguments, ToolContext context, CancellationToken cancellationToken)
    {
        var regex = false;
        string? glob = null;
        var error = arguments.Required("query", out var query) ?? arguments.OptionalBoolean("regex", out regex) ?? arguments.Optional("path_glob", out glob);
        if (error is not null)
        {
            return error;
        }

        if (string.IsNullOrWhiteSpace(query) || query.Contains('\n', StringComparison.Ordinal))
        {
            return ToolOutcome.Error(ToolFailure.InvalidArguments, "the query must be some text on one line.");
        }

        Regex? pattern = null;
        if (regex)
        {
            try
            {
                pattern = new Regex(query, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, RegexTimeout);
            }
            catch (ArgumentException e)
            {
                return ToolOutcome.Error(ToolFailure.InvalidArguments, $"the query is not a valid regular expression: {Cut(e.Message, MaxQuotedQueryChars * 2)}");
            }
        }

        Matcher? files = null;
        if (glob is not null)
        {
            var normalised = ScopeMatcher.Normalise(glob, "path", out var problem);
            if (normalised is null)
            {
                return ToolOutcome.Error(ToolFailure.InvalidArguments, $"path_glob is not usable: {problem}.");
            }

            files = new Matcher(StringComparison.Ordinal);
            files.AddInclude(normalised);
        }

        return await SearchAsync(query, pattern, files, context, cancellationToken);
    }

    private static async Task<ToolOutcome> SearchAsync(string query, Regex? pattern, Matcher? files, ToolContext context, CancellationToken cancellationToken)
    {
        var matches = new List<string>();
        var more = false;
        var scanned = 0L;
        string? stoppedAt = null;
        var slow = 0;
        foreach (var file in context.ReadableFiles(""))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (files is not null && !files.Match("/search", [file]).HasMatches)
            {
                continue;
            }

            var full = Path.Join(context.Guard.WorktreeRoot, file);
            var length = new FileInfo(full).Length;
            if (length is 0 or > MaxFileBytes)
            {
                continue;
            }

            if (scanned + length > MaxTotalBytes)
            {
                stoppedAt = file;
                break;
            }

            scanned += length;

            var (bytes, _) = await WorktreeFiles.ReadHeadAsync(full, MaxFileBytes, cancellationToken);
            if (WorktreeFiles.IsBinary(bytes))
            {
                continue;
            }

            var lines = WorktreeFiles.Utf8.GetString(bytes).Split('\n');
            for (var i = 0; i < lines.Length && !more; i++)
            {
                var at = Find(lines[i], query, pattern, ref slow);
                if (at < 0)
                {
                    continue;
                }

                if (matches.Count == MaxMatches)
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
            ? $"No matches for '{Cut(query, MaxQuotedQueryChars)}' in the files you may read{(files is null ? "" : " that match the path_glob")}."
            : string.Join('\n', matches);
        if (slow > 0)
        {
            text += $"\n[the regular expression took too long on {slow} line(s), which were skipped; simplify it]";
        }

        if (more)
        {
            text += $"\n[only the first {MaxMatches} matches are shown; search for something more specific]";
        }
        else if (stoppedAt is not null)
        {
            text += $"\n[search stopped at '{stoppedAt}' after reading {scanned} bytes; the files after it were not searched]";
        }

        return ToolOutcome.Success(text);
    }

    /// <summary>Where the query matches the line, or -1; a regular expression that runs out of time counts as no match.</summary>
    private static int Find(string line, string query, Regex? pattern, ref int slow)
    {
        if (pattern is null)
        {
            return line.IndexOf(query, StringComparison.OrdinalIgnoreCase);
        }

        try
        {
            var match = pattern.Match(line);
            return match.Success ? match.Index : -1;
        }
        catch (RegexMatchTimeoutException)
        {
            slow++;
            return -1;
        }
    }

    private static string Excerpt(string line, int at)
    {
        var text = line.TrimEnd('\r');
        if (text.Length <= MaxLineChars)
        {
            return text.Trim();
        }

        var start = Math.Clamp(at - (MaxLineChars / 3), 0, text.Length - MaxLineChars);
        return $"…{text.Substring(start, MaxLineChars)}…";
    }
}
