using System.Text.Json;
using System.Text.RegularExpressions;

namespace Atom.Bot.Llm;

/// <summary>
/// Finds the one JSON object in a model's reply text, as servers without <c>json_schema</c> (and some with it) write
/// it: bare, in a <c>```json</c> fence, after a sentence of prose, or after a <c>&lt;think&gt;</c> block.
/// </summary>
internal static partial class JsonObjectExtractor
{
    private const int MaxCandidates = 32;

    private static readonly JsonDocumentOptions Lenient = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary>The object (cloned: no document to dispose), or null and a one-line problem to tell the model.</summary>
    public static JsonElement? Extract(string? text, out string? problem)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "the reply is empty";
            return null;
        }

        var visible = ThinkBlock().Replace(text, "").Trim();
        string? firstError = null;
        var sawNonObject = false;
        foreach (var candidate in Candidates(visible))
        {
            try
            {
                using var document = JsonDocument.Parse(candidate, Lenient);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    problem = null;
                    return document.RootElement.Clone();
                }

                sawNonObject = true;
            }
            catch (JsonException e) when (candidate.TrimStart().StartsWith('{'))
            {
                firstError ??= e.Message;
            }
            catch (JsonException)
            {
                // Prose around the object: the brace candidates below will find it.
            }
        }

        problem = firstError is not null
            ? $"the JSON object in the reply is malformed ({firstError})"
            : sawNonObject ? "the reply is JSON but not an object" : "the reply contains no JSON object";
        return null;
    }

    private static IEnumerable<string> Candidates(string text)
    {
        if (text.Length > 0)
        {
            yield return text;
        }

        foreach (Match fence in Fence().Matches(text))
        {
            yield return fence.Groups["body"].Value;
        }

        var count = 0;
        for (var start = text.IndexOf('{', StringComparison.Ordinal); start >= 0 && count < MaxCandidates; start = text.IndexOf('{', start + 1), count++)
        {
            var end = MatchingBrace(text, start);
            yield return end < 0 ? text[start..] : text[start..(end + 1)];
        }
    }

    /// <summary>The index of the brace closing the one at <paramref name="start"/>, skipping braces inside strings; -1 if unterminated.</summary>
    private static int MatchingBrace(string text, int start)
    {
        var depth = 0;
        var inString = false;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }
            }
            else if (c == '"')
            {
                inString = true;
            }
            else if (c == '{')
            {
                depth++;
            }
            else if (c == '}' && --depth == 0)
            {
                return i;
            }
        }

        return -1;
    }

    [GeneratedRegex(@"<think>.*?(</think>|$)", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex ThinkBlock();

    [GeneratedRegex(@"```[A-Za-z0-9_-]*[ \t]*\r?\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex Fence();
}
