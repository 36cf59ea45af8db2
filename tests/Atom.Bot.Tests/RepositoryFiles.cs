namespace Atom.Bot.Tests;

/// <summary>The repository's own files (docs, README), for the tests that keep the documentation equal to the code.</summary>
internal static class RepositoryFiles
{
    public static DirectoryInfo Root { get; } = FindRoot();

    public static string Read(string relativePath) => File.ReadAllText(Path.Combine(Root.FullName, relativePath));

    /// <summary>The text between <c>&lt;!-- name:start --&gt;</c> and <c>&lt;!-- name:end --&gt;</c> in a page.</summary>
    public static string Section(string relativePath, string name)
    {
        var text = Read(relativePath).ReplaceLineEndings("\n");
        var start = text.IndexOf($"<!-- {name}:start -->\n", StringComparison.Ordinal);
        var end = text.IndexOf($"<!-- {name}:end -->", StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            throw new InvalidOperationException($"{relativePath} has no <!-- {name}:start --> ... <!-- {name}:end --> section");
        }

        start += $"<!-- {name}:start -->\n".Length;
        return text[start..end];
    }

    /// <summary>
    /// Rewrites a marked section with <paramref name="expected"/> when <c>UPDATE_DOCS=1</c> (a developer's run), so
    /// the drift test that follows compares equal; CI never sets it, so there the test reports the drift.
    /// </summary>
    public static void UpdateSectionWhenAsked(string relativePath, string name, string expected)
    {
        if (Environment.GetEnvironmentVariable("UPDATE_DOCS") != "1")
        {
            return;
        }

        var path = Path.Combine(Root.FullName, relativePath);
        var text = File.ReadAllText(path).ReplaceLineEndings("\n");
        var start = text.IndexOf($"<!-- {name}:start -->\n", StringComparison.Ordinal) + $"<!-- {name}:start -->\n".Length;
        var end = text.IndexOf($"<!-- {name}:end -->", StringComparison.Ordinal);
        File.WriteAllText(path, text[..start] + expected.ReplaceLineEndings("\n") + text[end..]);
    }

    private static DirectoryInfo FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "README.md")) && File.Exists(Path.Combine(dir.FullName, "Atom.Bot.sln")))
            {
                return dir;
            }
        }

        throw new DirectoryNotFoundException("README.md and Atom.Bot.sln not found above " + AppContext.BaseDirectory);
    }
}
