using System.Text;
using System.Text.RegularExpressions;

namespace Atom.Bot.Certification;

/// <summary>
/// What a diff touches and how risky it is, decided by fixed rules so that the same diff always gets the same risk:
/// <list type="bullet">
/// <item><b>high</b>: a deleted file, a build or dependency file (<see cref="BuildFilePatterns"/>), a scope violation, or more
/// than <see cref="HighRiskLines"/> changed lines;</item>
/// <item><b>medium</b>: more than <see cref="MediumRiskLines"/> changed lines, more than <see cref="MediumRiskFiles"/> files, or
/// code changed (neither a test, <see cref="TestPathPatterns"/>, nor documentation, <see cref="DocumentationPatterns"/>)
/// without any test changed;</item>
/// <item><b>low</b>: otherwise.</item>
/// </list>
/// </summary>
public sealed record ImpactAnalysis(
    IReadOnlyList<FolderImpact> Folders,
    IReadOnlyList<string> BuildFiles,
    IReadOnlyList<string> DeletedFiles,
    IReadOnlyList<string> TestFiles,
    int Files,
    int Added,
    int Removed,
    RiskLevel Risk,
    IReadOnlyList<string> RiskReasons)
{
    public const int HighRiskLines = 500;
    public const int MediumRiskLines = 100;
    public const int MediumRiskFiles = 10;
    public const string RootFolder = "(root)";

    /// <summary>
    /// Files that change how the project builds, what it depends on or how it is deployed and tested in CI, matched
    /// case-insensitively at any depth (<c>.github/</c> as a folder): a change to one of them is high risk.
    /// </summary>
    public static readonly IReadOnlyList<string> BuildFilePatterns =
    [
        "**/*.csproj", "**/*.fsproj", "**/*.vbproj", "**/*.props", "**/*.targets", "**/*.sln", "**/*.slnx",
        "**/global.json", "**/nuget.config", "**/packages.lock.json",
        "**/package.json", "**/package-lock.json", "**/npm-shrinkwrap.json", "**/yarn.lock", "**/pnpm-lock.yaml",
        "**/requirements*.txt", "**/pyproject.toml", "**/setup.py", "**/setup.cfg", "**/Pipfile", "**/Pipfile.lock", "**/poetry.lock",
        "**/go.mod", "**/go.sum", "**/Cargo.toml", "**/Cargo.lock",
        "**/pom.xml", "**/build.gradle", "**/build.gradle.kts", "**/settings.gradle", "**/settings.gradle.kts",
        "**/Gemfile", "**/Gemfile.lock",
        "**/Dockerfile", "**/Dockerfile.*", "**/*.dockerfile", "**/docker-compose*.yml", "**/docker-compose*.yaml",
        "**/Makefile", "**/CMakeLists.txt",
        "**/.github/**",
    ];

    /// <summary>
    /// Test conventions, matched case-sensitively (so <c>Contest.cs</c> is not a test): test folders (<c>test/</c>,
    /// <c>tests/</c>, <c>__tests__/</c>, <c>spec/</c>, <c>*Tests/</c> projects) and test file names of .NET, Java, Go,
    /// Python, JavaScript/TypeScript and Ruby.
    /// </summary>
    public static readonly IReadOnlyList<string> TestPathPatterns =
    [
        "**/test/**", "**/tests/**", "**/Test/**", "**/Tests/**", "**/__tests__/**", "**/spec/**", "**/*Tests/**",
        "**/*Test.*", "**/*Tests.*", "**/*_test.*", "**/test_*.py", "**/*.test.*", "**/*.spec.*", "**/*_spec.rb",
    ];

    /// <summary>Documentation, which changes no behaviour: it needs no test change.</summary>
    public static readonly IReadOnlyList<string> DocumentationPatterns =
    [
        "**/*.md", "**/*.markdown", "**/*.rst", "**/*.adoc", "**/*.txt", "docs/**", "**/LICENSE*",
    ];

    private static readonly Regex BuildFile = Glob(BuildFilePatterns, RegexOptions.IgnoreCase);
    private static readonly Regex TestFile = Glob(TestPathPatterns, RegexOptions.None);
    private static readonly Regex Documentation = Glob(DocumentationPatterns, RegexOptions.IgnoreCase);

    public int ChangedLines => Added + Removed;

    /// <summary>The rules of the class summary, as the body states them.</summary>
    public static string RuleText =>
        $"high when a file is deleted, a build or dependency file is touched, the scope is violated, or more than {HighRiskLines} lines change; " +
        $"medium when more than {MediumRiskLines} lines or more than {MediumRiskFiles} files change, or code changes without a test change; " +
        "low otherwise";

    public static ImpactAnalysis Of(IReadOnlyList<PackageChange> changes, int scopeViolations)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var folders = changes
            .GroupBy(c => TopFolder(c.Path), StringComparer.Ordinal)
            .Select(g => new FolderImpact(g.Key, g.Count(), g.Sum(c => c.Added), g.Sum(c => c.Removed)))
            .OrderByDescending(f => f.Added + f.Removed).ThenByDescending(f => f.Files).ThenBy(f => f.Folder, StringComparer.Ordinal)
            .ToList();
        var build = changes.Where(c => Matches(BuildFile, c)).Select(c => c.Path).ToList();
        var deleted = changes.Where(c => string.Equals(c.Status, "deleted", StringComparison.OrdinalIgnoreCase)).Select(c => c.Path).ToList();
        var tests = changes.Where(c => Matches(TestFile, c)).Select(c => c.Path).ToList();
        var code = changes.Count(c => !Matches(TestFile, c) && !Matches(Documentation, c));
        var added = changes.Sum(c => c.Added);
        var removed = changes.Sum(c => c.Removed);
        var lines = added + removed;

        var high = new List<string>();
        if (deleted.Count > 0)
        {
            high.Add($"{Plural(deleted.Count, "deleted file")}");
        }

        if (build.Count > 0)
        {
            high.Add($"{Plural(build.Count, "build or dependency file")} touched");
        }

        if (scopeViolations > 0)
        {
            high.Add($"{Plural(scopeViolations, "scope violation")}");
        }

        if (lines > HighRiskLines)
        {
            high.Add($"{lines} changed lines (more than {HighRiskLines})");
        }

        var medium = new List<string>();
        if (lines > MediumRiskLines)
        {
            medium.Add($"{lines} changed lines (more than {MediumRiskLines})");
        }

        if (changes.Count > MediumRiskFiles)
        {
            medium.Add($"{changes.Count} files (more than {MediumRiskFiles})");
        }

        if (code > 0 && tests.Count == 0)
        {
            medium.Add("code changed without a test change");
        }

        var (risk, reasons) = high.Count > 0 ? (RiskLevel.High, high)
            : medium.Count > 0 ? (RiskLevel.Medium, medium)
            : (RiskLevel.Low, ["no high or medium rule applies"]);
        return new ImpactAnalysis(folders, build, deleted, tests, changes.Count, added, removed, risk, reasons);
    }

    private static string TopFolder(string path)
    {
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 ? path[..slash] : RootFolder;
    }

    // A rename counts for what it was as well as for what it became: moving a project file is a build change.
    private static bool Matches(Regex glob, PackageChange change) =>
        glob.IsMatch(change.Path) || (change.OldPath is { } old && glob.IsMatch(old));

    /// <summary>
    /// The patterns above as one regular expression: <c>**/</c> is any folders (or none), a trailing <c>/**</c> anything
    /// below, <c>*</c> and <c>?</c> stay within one path segment. (One pass per path; a glob matcher per file was 100×
    /// slower on a 10,000-file diff.)
    /// </summary>
    private static Regex Glob(IEnumerable<string> patterns, RegexOptions options)
    {
        var alternatives = patterns.Select(pattern =>
        {
            var regex = new StringBuilder();
            for (var i = 0; i < pattern.Length; i++)
            {
                if (string.CompareOrdinal(pattern, i, "**/", 0, 3) == 0)
                {
                    regex.Append("(?:.*/)?");
                    i += 2;
                }
                else if (string.CompareOrdinal(pattern, i, "/**", 0, 3) == 0 && i + 3 == pattern.Length)
                {
                    regex.Append("/.*");
                    i += 2;
                }
                else
                {
                    regex.Append(pattern[i] switch
                    {
                        '*' => "[^/]*",
                        '?' => "[^/]",
                        var c => Regex.Escape(c.ToString()),
                    });
                }
            }

            return regex.ToString();
        });
        return new Regex($"^(?:{string.Join('|', alternatives)})$", options | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
    }

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
