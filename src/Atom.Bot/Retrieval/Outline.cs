using System.Text.RegularExpressions;

namespace Atom.Bot.Retrieval;

/// <summary>
/// A compact list of a file's definitions (types, functions, methods) with their lines, by a light regular expression
/// per language family, chosen by the file's extension. Not a parser: it is a map for the model, which reads the file
/// itself before changing it, so a missed or extra line costs little.
/// </summary>
public static partial class Outline
{
    public const int MaxSignatureLength = 120;

    /// <summary>The definitions of <paramref name="text"/>, at most <paramref name="maxEntries"/>; none for a language it does not know.</summary>
    public static IReadOnlyList<OutlineEntry> Of(string path, string text, int maxEntries)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(text);
        var definition = Language(Path.GetExtension(path).ToLowerInvariant());
        var entries = new List<OutlineEntry>();
        if (definition is null)
        {
            return entries;
        }

        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length && entries.Count < maxEntries; i++)
        {
            var line = lines[i];
            if (line.Length <= 400 && definition.IsMatch(line) && !ControlFlow().IsMatch(line))
            {
                entries.Add(new OutlineEntry(i + 1, Signature(line)));
            }
        }

        return entries;
    }

    private static Regex? Language(string extension) => extension switch
    {
        ".cs" => CSharp(),
        ".java" or ".kt" or ".kts" or ".scala" => JavaKotlin(),
        ".js" or ".jsx" or ".mjs" or ".cjs" or ".ts" or ".tsx" or ".mts" or ".cts" => JavaScript(),
        ".py" or ".pyi" => Python(),
        ".go" => Go(),
        ".rs" => Rust(),
        ".rb" or ".rake" => Ruby(),
        _ => null,
    };

    // Cut at the body's opening brace or an expression body, and at a length, so that one line stays one line.
    private static string Signature(string line)
    {
        var text = line.Trim();
        var brace = text.IndexOf('{', StringComparison.Ordinal);
        if (brace > 0)
        {
            text = text[..brace].TrimEnd();
        }

        var arrow = text.IndexOf(" => ", StringComparison.Ordinal);
        if (arrow > 0 && !text.StartsWith("export const", StringComparison.Ordinal) && !text.StartsWith("const", StringComparison.Ordinal))
        {
            text = text[..arrow].TrimEnd();
        }

        return text.Length <= MaxSignatureLength ? text : text[..(MaxSignatureLength - 1)] + "…";
    }

    // Types with any modifiers; members need at least one modifier and a parameter list, so that calls and
    // declarations of locals are not taken for methods.
    [GeneratedRegex(@"^\s*(?:\[[^\]]*\]\s*)*(?:(?:public|private|protected|internal|static|sealed|abstract|partial|readonly|file|unsafe|ref|new)\s+)*(?:class|interface|struct|record|enum)\s+\w+|^\s*(?:(?:public|private|protected|internal|static|sealed|abstract|partial|async|override|virtual|extern|unsafe|new|required)\s+)+(?!class\b|interface\b|struct\b|record\b|enum\b|const\b|event\b)[\w<>\[\],.?() ]+?\s+[\w.]+\s*(?:<[^>]*>)?\s*\(", RegexOptions.CultureInvariant)]
    private static partial Regex CSharp();

    [GeneratedRegex(@"^\s*(?:@\w+\s+)*(?:(?:public|private|protected|internal|static|final|abstract|open|data|sealed|inner|enum|annotation|companion|override|suspend|inline|private)\s+)*(?:class|interface|enum|object|record|fun|def|trait)\s+[\w<>.`]+|^\s*(?:(?:public|private|protected|static|final|abstract|synchronized|native|default)\s+)+[\w<>\[\],.? ]+?\s+\w+\s*\(", RegexOptions.CultureInvariant)]
    private static partial Regex JavaKotlin();

    [GeneratedRegex(@"^\s*(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?|class|interface|enum|type)\s+[\w$]+|^\s*(?:export\s+)?(?:const|let|var)\s+[\w$]+\s*(?::[^=]+)?=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*(?::[^=]+)?=>|[\w$]+\s*=>)|^\s+(?:(?:public|private|protected|static|async|readonly|override|get|set)\s+)*[\w$]+\s*(?:<[^>]*>)?\([^)]*\)\s*(?::\s*[^{;]+)?\{\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex JavaScript();

    [GeneratedRegex(@"^\s*(?:async\s+)?def\s+\w+|^\s*class\s+\w+", RegexOptions.CultureInvariant)]
    private static partial Regex Python();

    [GeneratedRegex(@"^func\s+|^type\s+\w+\s+(?:struct|interface)\b", RegexOptions.CultureInvariant)]
    private static partial Regex Go();

    [GeneratedRegex(@"^\s*(?:pub(?:\([^)]*\))?\s+)?(?:const\s+)?(?:async\s+)?(?:unsafe\s+)?(?:extern\s+""[^""]*""\s+)?(?:fn|struct|enum|trait|impl|mod|union)\b", RegexOptions.CultureInvariant)]
    private static partial Regex Rust();

    [GeneratedRegex(@"^\s*(?:def|class|module)\s+[\w:.?!=]+", RegexOptions.CultureInvariant)]
    private static partial Regex Ruby();

    [GeneratedRegex(@"^\s*(?:if|else|for|foreach|while|switch|catch|return|using|lock|do|try|await|throw|yield|new)\b", RegexOptions.CultureInvariant)]
    private static partial Regex ControlFlow();
}
