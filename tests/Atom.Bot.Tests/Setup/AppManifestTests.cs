using Atom.Bot.GitHub;
using Atom.Bot.Setup;

namespace Atom.Bot.Tests.Setup;

public sealed class AppManifestTests
{
    [Fact]
    public void Manifest_is_a_private_app_with_atoms_webhook_permissions_events_and_the_local_redirect()
    {
        var manifest = AppManifest.Build("atom-octo-org", new Uri("https://atom.example.com/api/github/webhooks"), new Uri("http://127.0.0.1:4321/callback"));

        manifest.ToJsonString().ShouldBe(
            """{"name":"atom-octo-org","url":"https://atom.example.com/","hook_attributes":{"url":"https://atom.example.com/api/github/webhooks","active":true},"redirect_url":"http://127.0.0.1:4321/callback","description":""" +
            System.Text.Json.JsonSerializer.Serialize(AppManifest.Description) +
            ""","public":false,"default_permissions":{"checks":"write","contents":"write","issues":"write","metadata":"read","pull_requests":"write","statuses":"write"},"default_events":["issues","issue_comment","pull_request","pull_request_review","pull_request_review_comment","check_run","check_suite","status"]}""");
    }

    [Fact]
    public void Manifest_asks_exactly_what_doctor_checks()
    {
        var manifest = AppManifest.Build("atom", new Uri("https://atom.example.com/hook"), new Uri("http://127.0.0.1:1/callback"));

        manifest["default_permissions"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()).ShouldBe(AppRequirements.Permissions, ignoreOrder: true);
        manifest["default_events"]!.AsArray().Select(e => e!.GetValue<string>()).ShouldBe(AppRequirements.Events.Concat(AppRequirements.ProtectedBranchEvents));
    }

    [Theory]
    [InlineData("https://atom.example.com", "https://atom.example.com/api/github/webhooks")]
    [InlineData("https://atom.example.com/", "https://atom.example.com/api/github/webhooks")]
    [InlineData("https://smee.io/AbCdEf123", "https://smee.io/AbCdEf123")]
    [InlineData("https://proxy.example.com/atom/hooks", "https://proxy.example.com/atom/hooks")]
    public void Webhook_url_without_a_path_gets_atoms_path_and_any_other_is_kept(string given, string expected) =>
        AppManifest.WebhookUrl(new Uri(given)).ToString().ShouldBe(expected);
}
