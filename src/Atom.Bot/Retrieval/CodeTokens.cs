using System.Text;
using Lucene.Net.Analysis.En;

namespace Atom.Bot.Retrieval;

/// <summary>
/// How code, paths and issue prose become search terms, the same way for all three: runs of letters, digits and
/// underscores are kept whole and also split at underscores, case changes and digits (<c>GitMirrors</c> gives
/// <c>gitmirrors</c>, <c>git</c>, <c>mirrors</c>), so an issue that says "git mirrors" finds the identifier. Terms are
/// lower-cased and lightly stemmed (plural endings only), one-letter terms, numbers and English stop words dropped.
/// </summary>
public static class CodeTokens
{
    /// <summary>Longer runs (base64, hashes, minified code) are noise to a ranking.</summary>
    public const int MaxTokenLength = 48;

    // EnglishMinimalStemmer keeps no state between calls.
    private static readonly EnglishMinimalStemmer Stemmer = new();

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of",
        "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with",
        "we", "when", "which", "should", "would", "can", "could", "from", "has", "have", "its", "so", "do", "does", "our",
    };

    /// <summary>The terms of a text (a file's content or an issue), in order, repeats kept (BM25 counts them).</summary>
    public static IEnumerable<string> Of(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var inWord = i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_');
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                foreach (var token in OfIdentifier(text.AsSpan(start, i - start)))
                {
                    yield return token;
                }

                start = -1;
            }
        }
    }

    /// <summary>The terms of a repository path: every folder and the file name, with the extension as a term of its own.</summary>
    public static IEnumerable<string> OfPath(string path) => Of((path ?? "").Replace('.', ' ').Replace('-', ' '));

    private static List<string> OfIdentifier(ReadOnlySpan<char> word)
    {
        var found = new List<string>();
        if (word.Length > MaxTokenLength)
        {
            return found;
        }

        var whole = Normalise(word);
        Add(found, whole);
        var parts = Parts(word);
        if (parts.Count > 1)
        {
            foreach (var part in parts)
            {
                Add(found, Normalise(part.AsSpan()));
            }
        }

        return found;
    }

    private static void Add(List<string> found, string? term)
    {
        if (term is { Length: > 1 } && !StopWords.Contains(term) && !term.All(char.IsAsciiDigit))
        {
            found.Add(term);
        }
    }

    // Splits at '_', at a lower-case or digit followed by an upper-case (gitMirror), at the last capital of a run of
    // capitals followed by a lower-case (HTTPServer: HTTP, Server), and between letters and digits (utf8: utf, 8).
    private static List<string> Parts(ReadOnlySpan<char> word)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < word.Length; i++)
        {
            var c = word[i];
            if (c == '_')
            {
                Flush();
                continue;
            }

            if (current.Length > 0)
            {
                var previous = current[^1];
                var boundary = (char.IsUpper(c) && (char.IsLower(previous) || char.IsDigit(previous)))
                    || (char.IsUpper(c) && char.IsUpper(previous) && i + 1 < word.Length && char.IsLower(word[i + 1]))
                    || (char.IsDigit(c) != char.IsDigit(previous));
                if (boundary)
                {
                    Flush();
                }
            }

            current.Append(c);
        }

        Flush();
        return parts;

        void Flush()
        {
            if (current.Length > 0)
            {
                parts.Add(current.ToString());
                current.Clear();
            }
        }
    }

    private static string Normalise(ReadOnlySpan<char> word)
    {
        var buffer = new char[word.Length];
        var length = 0;
        foreach (var c in word)
        {
            if (c != '_')
            {
                buffer[length++] = char.ToLowerInvariant(c);
            }
        }

        length = Stemmer.Stem(buffer, length);
        return new string(buffer, 0, length);
    }
}
