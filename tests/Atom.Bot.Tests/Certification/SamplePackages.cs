using Atom.Bot.Certification;

namespace Atom.Bot.Tests.Certification;

/// <summary>Certification packages for tests (also compiled into the integration tests): a realistic passing one to vary.</summary>
public static class SamplePackages
{
    public const string HeadSha = "6dcb09b5b57875f334f61aebed695e2e4193db5e";

    public static CertificationPackage Passing(int issueNumber = 12, string headSha = HeadSha, int rounds = 1) => new()
    {
        TaskId = 34,
        Repository = "octocat/Hello-World",
        IssueNumber = issueNumber,
        IssueTitle = "Add a greeting endpoint",
        DefaultBranch = "main",
        Branch = $"atom/issue-{issueNumber}/add-a-greeting-endpoint",
        HeadSha = headSha,
        Rounds = rounds,
        Passed = true,
        Summary = "Adds GET /greeting returning a friendly message, with a test.",
        Plan = new PackagePlan(
            "One small endpoint and its test; a single assignment is enough.",
            null,
            [new PackageAssignment(1, "Greeting endpoint", "finished", "Added the endpoint and a test.", 7, 0, ["src/**", "tests/**"])]),
        Scope = new PackageScope(["src/**", "tests/**"], [".github/**", ".atom/**"], 20, 800, [], []),
        Changes =
        [
            new PackageChange("src/Api/Greeting.cs", null, "added", 24, 0, false),
            new PackageChange("src/Api/Program.cs", null, "modified", 3, 1, false),
            new PackageChange("tests/Api.Tests/GreetingTests.cs", null, "added", 30, 0, false),
        ],
        Tests = new PackageTests(true, "dotnet test", 0, false, TimeSpan.FromSeconds(12.4), 41, 0, 2,
            "Passed!  - Failed: 0, Passed: 41, Skipped: 2, Total: 43, Duration: 11 s"),
        Auditor = new PackageAuditor("auditor-small", 0.86, "pass", 0.7,
            [new PackageFinding("info", "The endpoint has no rate limit; fine for now.", "src/Api/Greeting.cs")], null),
        Usage = new PackageUsage(18_250, 3_120, TimeSpan.FromSeconds(41)),
        Approval = new PackageApproval(1, ["alice", "bob"], true, true, "squash"),
        Audit = new PackageAuditReference(101, 117, "9f2c1e0b7a4d", "ed25519:4f1a2b3c", "atom audit verify --task 34"),
    };

    public static CertificationPackage Failing(int issueNumber = 12, string headSha = HeadSha, int rounds = 3) => Passing(issueNumber, headSha, rounds) with
    {
        Passed = false,
        FailureReasons = ["The auditor asked for a revision after 2 revisions.", "Tests failed (exit code 1)."],
        Tests = new PackageTests(true, "dotnet test", 1, false, TimeSpan.FromSeconds(9), 40, 1, 2, "Failed GreetingTests.Returns_hello\nFailed!  - Failed: 1, Passed: 40"),
        Auditor = new PackageAuditor("auditor-small", 0.41, "needs_revision", 0.7,
            [new PackageFinding("error", "The greeting ignores the configured locale.", "src/Api/Greeting.cs")], null),
    };

    /// <summary>A settings proposal's package: the approved diff in the plan's place, applied mechanically.</summary>
    public static CertificationPackage SettingsProposal() => Passing(issueNumber: 40) with
    {
        TaskId = 0,
        IssueTitle = "Atom proposal #40: Raise test_timeout_seconds to 600",
        Branch = "atom/proposal-40/raise-test-timeout-seconds-to-600",
        Summary = "Certified: the settings proposal approved on #40.",
        Plan = new PackagePlan("", null, []),
        Scope = new PackageScope([".github/atom.yml"], [], 1, 2, [], []),
        Changes = [new PackageChange(".github/atom.yml", null, "modified", 1, 1, false)],
        Tests = PackageTests.NotConfigured,
        Auditor = new PackageAuditor("none: applied mechanically", null, null, 0.7, [], null),
        Usage = new PackageUsage(0, 0, TimeSpan.Zero),
        Approval = new PackageApproval(1, [], true, false, "squash"),
        Audit = new PackageAuditReference(3, 9, "9f2c1e0b7a4d", "ed25519:4f1a2b3c", "atom audit verify"),
        Proposal = new PackageProposal(7, "settings", "alice", false, ".github/atom.yml", false, [],
            "--- a/.github/atom.yml\n+++ b/.github/atom.yml\n@@ -1 +1 @@\n-test_timeout_seconds: 300\n+test_timeout_seconds: 600\n",
            "5d41402abc4b2a76b9719d911017c592", ["`.github/atom.yml` is the approved text, byte for byte", "it parses and validates as settings again"]),
    };
}
