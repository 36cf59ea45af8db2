using Atom.Bot.Workers;

namespace Atom.Bot.Tests.Workers;

public sealed class TestCountsTests
{
    [Fact]
    public void Reads_the_testing_platform_summary_of_a_whole_run()
    {
        const string output = """
            Running tests from /src/tests/A.Tests/bin/Debug/net10.0/A.Tests.dll (net10.0|x64)
            failed A.Tests.Foo.Bar (12ms)
            /src/tests/A.Tests/bin/Debug/net10.0/A.Tests.dll (net10.0|x64) failed with 1 error(s) (1s 10ms)

            Test run summary: Failed!
              total: 125
              failed: 2
              succeeded: 120
              skipped: 3
              duration: 5s 219ms
            """;

        TestCounts.Parse(output).ShouldBe(new TestCounts(125, 120, 2, 3));
    }

    [Fact]
    public void Reads_the_last_testing_platform_summary_when_there_are_several()
    {
        const string output = "total: 5 failed: 0 succeeded: 5 skipped: 0\n...\ntotal: 12 failed: 1 succeeded: 11 skipped: 0\n";

        TestCounts.Parse(output).ShouldBe(new TestCounts(12, 11, 1, 0));
    }

    [Fact]
    public void Sums_the_vstest_summaries_of_each_project()
    {
        const string output = """
            Passed!  - Failed:     0, Passed:     5, Skipped:     0, Total:     5, Duration: 12 ms - A.Tests.dll (net8.0)
            Failed!  - Failed:     2, Passed:    10, Skipped:     1, Total:    13, Duration: 1 s - B.Tests.dll (net8.0)
            """;

        TestCounts.Parse(output).ShouldBe(new TestCounts(18, 15, 2, 1));
    }

    [Theory]
    [InlineData("============================= 3 failed, 10 passed, 2 skipped in 0.12s ==============================", 15, 10, 3, 2)]
    [InlineData("==== 42 passed in 1.05s ====", 42, 42, 0, 0)]
    [InlineData("1 passed, 1 warning in 0.01s", 1, 1, 0, 0)]
    [InlineData("=== 2 passed, 1 error, 1 xfailed in 3.50s (0:00:03) ===", 4, 2, 1, 1)]
    public void Reads_the_pytest_summary(string line, int total, int passed, int failed, int skipped) =>
        TestCounts.Parse($"collected 99 items\n\ntests/test_a.py ....F\n{line}\n").ShouldBe(new TestCounts(total, passed, failed, skipped));

    [Theory]
    [InlineData("")]
    [InlineData("make: *** [test] Error 1")]
    [InlineData("ok  \texample.com/pkg\t0.012s")]
    public void Output_without_a_known_summary_has_no_counts(string output) => TestCounts.Parse(output).ShouldBeNull();
}
