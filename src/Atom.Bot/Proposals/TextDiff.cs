using System.Text;

namespace Atom.Bot.Proposals;

/// <summary>A unified diff of two small texts (a settings file), for a proposal's body and its pull request.</summary>
public static class TextDiff
{
    private const int Context = 2;

    public static string Unified(string path, string before, string after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var a = Lines(before);
        var b = Lines(after);
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var ops = new List<(char Op, string Line)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                ops.Add((' ', a[x++]));
                y++;
            }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y]))
            {
                ops.Add(('+', b[y++]));
            }
            else
            {
                ops.Add(('-', a[x++]));
            }
        }

        var shown = new bool[ops.Count];
        for (var k = 0; k < ops.Count; k++)
        {
            if (ops[k].Op != ' ')
            {
                for (var c = Math.Max(0, k - Context); c <= Math.Min(ops.Count - 1, k + Context); c++)
                {
                    shown[c] = true;
                }
            }
        }

        var text = new StringBuilder().Append("--- a/").AppendLine(path).Append("+++ b/").AppendLine(path);
        for (var k = 0; k < ops.Count; k++)
        {
            if (!shown[k])
            {
                continue;
            }

            if (k == 0 || !shown[k - 1])
            {
                text.AppendLine("@@");
            }

            text.Append(ops[k].Op).AppendLine(ops[k].Line);
        }

        return text.ToString();
    }

    private static string[] Lines(string text)
    {
        var normalised = text.ReplaceLineEndings("\n");
        return normalised.Length == 0 ? [] : normalised.TrimEnd('\n').Split('\n');
    }
}
