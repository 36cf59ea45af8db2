using System.Globalization;

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

    public override string Name => "search_code";

    public override string Description => string.Create(CultureInfo.InvariantCulture,
        $"Search the files you may read for a plain text (not a regular expression, case-insensitive). Returns up to {MaxMatches} matching lines as path:line: text.");

    public override string ParametersSchema =>
        """{"type":"object","properties":{"query":{"type":"string","description":"The text to look for."}},"required":["query"],"additionalProperties":false}""";

    public override string Example => """{"query": "def main"}""";

    public override async Task<ToolOutcome> InvokeAsync(ToolArguments arguments, ToolContext context, CancellationToken cancellationToken) =>
        arguments.Required("query", out var query) ?? await SearchAsync(query, context, cancellationToken);

    private static async Task<ToolOutcome> SearchAsync(string query, ToolContext context, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(query) || query.Contains('\n', StringComparison.Ordinal))
        {
            return ToolOutcome.Error(ToolFailure.InvalidArguments, "the query must be some text on one line.");
        }

        var matches = new List<string>();
        var more = false;
        var scanned = 0L;
        string? stoppedAt = null;
        foreach (var file in context.ReadableFiles(""))
        {
            cancellationToken.ThrowIfCancellationRequested();
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
                var at = lines[i].IndexOf(query, StringComparison.OrdinalIgnoreCase);
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
            ? $"No matches for '{Cut(query, MaxQuotedQueryChars)}' in the files you may read."
            : string.Join('\n', matches);
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
