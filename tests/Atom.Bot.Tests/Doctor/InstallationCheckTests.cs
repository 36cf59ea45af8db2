using System.Text.Json;
using Atom.Bot.Doctor;

namespace Atom.Bot.Tests.Doctor;

/// <summary>An installation as <c>GET /app/installations</c> lists it, against what Atom needs.</summary>
public sealed class InstallationCheckTests
{
    private const string AllNeeded = """{"checks":"write","contents":"write","issues":"write","metadata":"read","pull_requests":"write","statuses":"write"}""";
    private const string AllEvents = """["issues","issue_comment","pull_request","pull_request_review","pull_request_review_comment","check_run","check_suite","status"]""";

    [Fact]
    public void Every_permission_and_event_is_ok_and_administration_is_only_optional()
    {
        var finding = GitHubChecks.Installation(Installation(AllNeeded.Replace("}", ""","administration":"read"}""", StringComparison.Ordinal), AllEvents));
        finding.Level.ShouldBe(DoctorLevel.Ok);

        var withoutAdministration = GitHubChecks.Installation(Installation(AllNeeded, AllEvents));
        withoutAdministration.Level.ShouldBe(DoctorLevel.Warn);
        withoutAdministration.Detail.ShouldContain("administration:read");
    }

    [Fact]
    public void A_read_grant_where_write_is_needed_is_a_failure_naming_it()
    {
        var finding = GitHubChecks.Installation(Installation(AllNeeded.Replace("\"contents\":\"write\"", "\"contents\":\"read\"", StringComparison.Ordinal), AllEvents));

        finding.Level.ShouldBe(DoctorLevel.Fail);
        finding.Detail.ShouldBe("permissions missing: contents:write");
        finding.Subject.ShouldBe("installation 7 (octo-org)");
    }

    [Fact]
    public void Missing_protected_branch_events_are_a_warning_and_missing_core_events_a_failure()
    {
        var noChecks = GitHubChecks.Installation(Installation(AllNeeded.Replace("}", ""","administration":"read"}""", StringComparison.Ordinal), """["issues","issue_comment","pull_request","pull_request_review","pull_request_review_comment"]"""));
        noChecks.Level.ShouldBe(DoctorLevel.Warn);
        noChecks.Detail.ShouldContain("events check_run, check_suite, status");

        var noComments = GitHubChecks.Installation(Installation(AllNeeded, """["issues","pull_request","pull_request_review","pull_request_review_comment"]"""));
        noComments.Level.ShouldBe(DoctorLevel.Fail);
        noComments.Detail.ShouldBe("events not subscribed: issue_comment");
    }

    [Fact]
    public void A_suspended_installation_fails_whatever_it_grants()
    {
        var finding = GitHubChecks.Installation(Installation(AllNeeded, AllEvents, suspendedAt: "2026-11-30T10:00:00Z"));

        finding.Level.ShouldBe(DoctorLevel.Fail);
        finding.Detail.ShouldContain("suspended since 2026-11-30T10:00:00Z");
    }

    private static JsonElement Installation(string permissions, string events, string? suspendedAt = null) => JsonDocument.Parse($$"""
        {"id":7,"account":{"login":"octo-org","id":1},"permissions":{{permissions}},"events":{{events}},"suspended_at":{{(suspendedAt is null ? "null" : $"\"{suspendedAt}\"")}}}
        """).RootElement;
}
