namespace Atom.Bot.Certification;

/// <summary>
/// How much of each part of a package the body shows. <see cref="PackageBody"/> tries each level in turn until the body
/// fits GitHub's limit; the last level caps every list and text, so its body always fits.
/// </summary>
internal sealed record BodyLimits(int Rows, int OutputChars, int TextChars, int CellChars, bool FullCopy)
{
    public static readonly IReadOnlyList<BodyLimits> Levels =
    [
        new(Rows: 200, OutputChars: 20_000, TextChars: 4_000, CellChars: 300, FullCopy: true),
        new(Rows: 60, OutputChars: 8_000, TextChars: 2_000, CellChars: 200, FullCopy: false),
        new(Rows: 20, OutputChars: 2_000, TextChars: 1_000, CellChars: 120, FullCopy: false),
        new(Rows: 5, OutputChars: 500, TextChars: 300, CellChars: 80, FullCopy: false),
    ];
}
