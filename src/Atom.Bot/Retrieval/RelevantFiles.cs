using System.Text;

namespace Atom.Bot.Retrieval;

/// <summary>
/// The files most relevant to a text, best first, as a prompt shows them: a ranked list of paths, each with the outline
/// of its definitions, cut to a budget of characters (<see cref="Render"/>). <see cref="Hybrid"/> says whether
/// embeddings took part in the ranking.
/// </summary>
public sealed record RelevantFiles(IReadOnlyList<RankedFile> Files, string? Commit, bool Hybrid)
{
    public static readonly RelevantFiles None = new([], null, false);

    /// <summary>
    /// The ranking as prompt text of at most <paramref name="maxCharacters"/>: every file's line first in rank order,
    /// then outlines, so that a tight budget drops outline lines of the lower files before any path. Empty when there is
    /// nothing to show.
    /// </summary>
    public string Render(int maxCharacters)
    {
        if (Files.Count == 0 || maxCharacters <= 0)
        {
            return "";
        }

        const string Heading = "# Files most relevant to this work (ranked by search; paths with their definitions as \"line: signature\", not whole files)\n";
        var text = new StringBuilder(Heading);
        if (text.Length > maxCharacters)
        {
            return "";
        }

        // Which files fit at all, as bare lines; what is left of the budget then goes to outlines, best file first.
        var shown = new List<RankedFile>();
        var used = text.Length;
        foreach (var file in Files)
        {
            var line = FileLine(file).Length + 1;
            if (used + line > maxCharacters - Omitted(Files.Count - shown.Count - 1).Length)
            {
                break;
            }

            used += line;
            shown.Add(file);
        }

        var omittedNote = Omitted(Files.Count - shown.Count);
        used += omittedNote.Length;
        var outlines = new Dictionary<RankedFile, List<string>>();
        foreach (var file in shown)
        {
            var lines = outlines[file] = [];
            foreach (var entry in file.Outline)
            {
                var line = $"   {entry.Line}: {entry.Signature}";
                if (used + line.Length + 1 > maxCharacters)
                {
                    break;
                }

                used += line.Length + 1;
                lines.Add(line);
            }
        }

        foreach (var file in shown)
        {
            text.Append(FileLine(file)).Append('\n');
            foreach (var line in outlines[file])
            {
                text.Append(line).Append('\n');
            }
        }

        return text.Append(omittedNote).ToString();
    }

    private static string FileLine(RankedFile file) => $"{file.Rank}. {file.Path}";

    private static string Omitted(int count) => count <= 0 ? "" : $"[{count} more relevant file(s) did not fit the budget]\n";
}
