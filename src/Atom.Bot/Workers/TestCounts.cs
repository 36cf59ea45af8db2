using System.Globalization;
using System.Text.RegularExpressions;

namespace Atom.Bot.Workers;

/// <summary>Test counts read from a test command's output, when it prints a summary this parser knows.</summary>
public sealed partial record TestCounts(int Total, int Passed, int Failed, int Skipped)
{
    /// <summary>
    /// Reads the last Microsoft Testing Platform summary (<c>total: N failed: N succeeded: N skipped: N</c>, the
    /// aggregate of a whole run), else the sum of VSTest summaries (<c>Passed!  - Failed: 0, Passed: 5, Skipped: 0,
    /// Total: 5</c>, one per test project), else the last pytest summary (<c>3 passed, 1 failed in 0.1s</c>; errors
    /// count as failed, xfailed as skipped). Null when none is found.
    /// </summary>
    public static TestCounts? Parse(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var platform = PlatformSummary().Matches(output);
        if (platform.Count > 0)
        {
            var m = platform[^1];
            return new TestCounts(Number(m, "total"), Number(m, "succeeded"), Number(m, "failed"), Number(m, "skipped"));
        }

        var vstest = VsTestSummary().Matches(output);
        if (vstest.Count > 0)
        {
            return new TestCounts(
                vstest.Sum(m => Number(m, "total")),
                vstest.Sum(m => Number(m, "passed")),
                vstest.Sum(m => Number(m, "failed")),
                vstest.Sum(m => Number(m, "skipped")));
        }

        var pytest = PytestSummary().Matches(output);
        if (pytest.Count > 0)
        {
            int passed = 0, failed = 0, skipped = 0;
            foreach (Match part in PytestCount().Matches(pytest[^1].Value))
            {
                var n = Number(part, "n");
                switch (part.Groups["kind"].Value)
                {
                    case "passed" or "xpassed":
                        passed += n;
                        break;
                    case "failed" or "error" or "errors":
                        failed += n;
                        break;
                    case "skipped" or "xfailed":
                        skipped += n;
                        break;
                }
            }

            return new TestCounts(passed + failed + skipped, passed, failed, skipped);
        }

        return null;
    }

    private static int Number(Match match, string group) =>
        int.TryParse(match.Groups[group].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    [GeneratedRegex(@"total:\s*(?<total>\d+)\s+failed:\s*(?<failed>\d+)\s+succeeded:\s*(?<succeeded>\d+)\s+skipped:\s*(?<skipped>\d+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PlatformSummary();

    [GeneratedRegex(@"(?:Passed|Failed)!\s*-\s*Failed:\s*(?<failed>\d+),\s*Passed:\s*(?<passed>\d+),\s*Skipped:\s*(?<skipped>\d+),\s*Total:\s*(?<total>\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex VsTestSummary();

    [GeneratedRegex(@"^[ =]*\d+ (?:passed|failed|skipped|errors?|xfailed|xpassed|deselected|warnings?)\b.*? in \d+(?:\.\d+)?s\b.*$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex PytestSummary();

    [GeneratedRegex(@"(?<n>\d+) (?<kind>passed|failed|skipped|errors?|xfailed|xpassed)\b", RegexOptions.CultureInvariant)]
    private static partial Regex PytestCount();
}
