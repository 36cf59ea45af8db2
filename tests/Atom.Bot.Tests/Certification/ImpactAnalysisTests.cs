using Atom.Bot.Certification;

namespace Atom.Bot.Tests.Certification;

public sealed class ImpactAnalysisTests
{
    private static readonly PackageChange Code = Modified("src/Api/Greeting.cs", 5, 2);
    private static readonly PackageChange Test = Modified("tests/Api.Tests/GreetingTests.cs", 10, 0);

    [Fact]
    public void Small_code_change_with_a_test_is_low_risk()
    {
        var impact = ImpactAnalysis.Of([Code, Test], 0);

        impact.Risk.ShouldBe(RiskLevel.Low);
        impact.RiskReasons.ShouldBe(["no high or medium rule applies"]);
    }

    [Fact]
    public void Documentation_alone_needs_no_test_and_is_low_risk()
    {
        ImpactAnalysis.Of([Modified("README.md", 40, 3), Modified("docs/setup.rst", 2, 2)], 0).Risk.ShouldBe(RiskLevel.Low);
    }

    [Fact]
    public void Code_without_a_test_change_is_medium_risk()
    {
        var impact = ImpactAnalysis.Of([Code], 0);

        impact.Risk.ShouldBe(RiskLevel.Medium);
        impact.RiskReasons.ShouldBe(["code changed without a test change"]);
    }

    [Fact]
    public void More_than_the_medium_line_count_is_medium_risk()
    {
        var impact = ImpactAnalysis.Of([Test, Modified("src/a.cs", ImpactAnalysis.MediumRiskLines - 9, 0)], 0);

        impact.ChangedLines.ShouldBe(ImpactAnalysis.MediumRiskLines + 1);
        impact.Risk.ShouldBe(RiskLevel.Medium);
        impact.RiskReasons.ShouldBe([$"{ImpactAnalysis.MediumRiskLines + 1} changed lines (more than {ImpactAnalysis.MediumRiskLines})"]);
    }

    [Fact]
    public void Exactly_the_medium_line_count_is_still_low_risk()
    {
        ImpactAnalysis.Of([Test, Modified("src/a.cs", ImpactAnalysis.MediumRiskLines - 10, 0)], 0).Risk.ShouldBe(RiskLevel.Low);
    }

    [Fact]
    public void More_than_the_medium_file_count_is_medium_risk()
    {
        var changes = Enumerable.Range(0, ImpactAnalysis.MediumRiskFiles).Select(i => Modified($"tests/T{i}Tests.cs", 1, 0)).Append(Code).ToList();

        var impact = ImpactAnalysis.Of(changes, 0);

        impact.Risk.ShouldBe(RiskLevel.Medium);
        impact.RiskReasons.ShouldBe([$"{ImpactAnalysis.MediumRiskFiles + 1} files (more than {ImpactAnalysis.MediumRiskFiles})"]);
    }

    [Fact]
    public void A_deletion_is_high_risk()
    {
        var impact = ImpactAnalysis.Of([Code, Test, new PackageChange("src/Old.cs", null, "deleted", 0, 12, false)], 0);

        impact.Risk.ShouldBe(RiskLevel.High);
        impact.DeletedFiles.ShouldBe(["src/Old.cs"]);
        impact.RiskReasons.ShouldBe(["1 deleted file"]);
    }

    [Theory]
    [InlineData("src/Api/Api.csproj")]
    [InlineData("Directory.Packages.props")]
    [InlineData("Atom.Bot.sln")]
    [InlineData("web/package.json")]
    [InlineData("web/package-lock.json")]
    [InlineData("requirements-dev.txt")]
    [InlineData("pyproject.toml")]
    [InlineData("go.mod")]
    [InlineData("crates/core/Cargo.toml")]
    [InlineData("pom.xml")]
    [InlineData("app/build.gradle")]
    [InlineData("Dockerfile")]
    [InlineData("deploy/Dockerfile.prod")]
    [InlineData("Makefile")]
    [InlineData(".github/workflows/ci.yml")]
    [InlineData(".github/CODEOWNERS")]
    public void A_build_or_dependency_file_is_high_risk(string path)
    {
        var impact = ImpactAnalysis.Of([Code, Test, Modified(path, 1, 1)], 0);

        impact.Risk.ShouldBe(RiskLevel.High);
        impact.BuildFiles.ShouldBe([path]);
        impact.RiskReasons.ShouldBe(["1 build or dependency file touched"]);
    }

    [Fact]
    public void Renaming_a_build_file_away_still_counts_as_a_build_change()
    {
        var impact = ImpactAnalysis.Of([new PackageChange("notes/old-project.xml", "src/App.csproj", "renamed", 0, 0, false), Test], 0);

        impact.BuildFiles.ShouldBe(["notes/old-project.xml"]);
        impact.Risk.ShouldBe(RiskLevel.High);
    }

    [Fact]
    public void A_scope_violation_is_high_risk()
    {
        ImpactAnalysis.Of([Code, Test], 1).RiskReasons.ShouldBe(["1 scope violation"]);
    }

    [Fact]
    public void More_than_the_high_line_count_is_high_risk_and_every_high_reason_is_given()
    {
        var impact = ImpactAnalysis.Of([Test, Modified("src/big.cs", ImpactAnalysis.HighRiskLines, 0), Modified("package.json", 1, 0)], 2);

        impact.Risk.ShouldBe(RiskLevel.High);
        impact.RiskReasons.ShouldBe(["1 build or dependency file touched", "2 scope violations", $"{ImpactAnalysis.HighRiskLines + 11} changed lines (more than {ImpactAnalysis.HighRiskLines})"]);
    }

    [Theory]
    [InlineData("tests/Api.Tests/GreetingTests.cs", true)]
    [InlineData("src/Api.Tests/Anything.cs", true)]
    [InlineData("src/GreetingTest.java", true)]
    [InlineData("pkg/greet/greet_test.go", true)]
    [InlineData("app/test_greeting.py", true)]
    [InlineData("web/src/greeting.test.ts", true)]
    [InlineData("web/src/greeting.spec.tsx", true)]
    [InlineData("web/__tests__/greeting.js", true)]
    [InlineData("spec/models/user_spec.rb", true)]
    [InlineData("test/unit.c", true)]
    [InlineData("src/Contest.cs", false)]
    [InlineData("src/Greeting.cs", false)]
    [InlineData("src/latest/notes.cs", false)]
    public void Test_files_follow_the_usual_conventions(string path, bool isTest)
    {
        ImpactAnalysis.Of([Modified(path, 1, 0)], 0).TestFiles.Count.ShouldBe(isTest ? 1 : 0);
    }

    [Fact]
    public void Files_and_lines_are_grouped_by_top_level_folder_largest_first()
    {
        var impact = ImpactAnalysis.Of([Code, Test, Modified("src/b.cs", 1, 1), Modified("README.md", 1, 0)], 0);

        impact.Folders.ShouldBe(
        [
            new FolderImpact("tests", 1, 10, 0),
            new FolderImpact("src", 2, 6, 3),
            new FolderImpact(ImpactAnalysis.RootFolder, 1, 1, 0),
        ]);
        (impact.Files, impact.Added, impact.Removed).ShouldBe((4, 17, 3));
    }

    private static PackageChange Modified(string path, int added, int removed) => new(path, null, "modified", added, removed, false);
}
