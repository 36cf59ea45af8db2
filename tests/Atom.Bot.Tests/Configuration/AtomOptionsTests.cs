using Atom.Bot.Configuration;

namespace Atom.Bot.Tests.Configuration;

public sealed class AtomOptionsTests
{
    [Fact]
    public void ToString_shows_the_settings_but_no_secret_and_no_job_storage_password()
    {
        var options = SampleAtomOptions.Create() with
        {
            DashboardToken = "sample-dashboard-token-0123456789",
            JobStorage = "Host=db;Username=atom;Password=sample-pg-password-42;Database=atom",
        };

        var text = options.ToString();

        text.ShouldContain("LlmModel = main-model");
        text.ShouldContain("DataDir = /var/lib/atom");
        foreach (var secret in new[] { SampleAtomOptions.WebhookSecret, SampleAtomOptions.GitHubToken, SampleAtomOptions.LlmApiKey, "sample-dashboard-token-0123456789", "sample-pg-password-42" })
        {
            text.ShouldNotContain(secret);
        }

        text.ShouldContain("WebhookSecret = ***");
    }
}
