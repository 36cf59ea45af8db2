using Atom.Bot.Configuration;

namespace Atom.Bot.Tests.Configuration;

public sealed class RedactorTests
{
    [Fact]
    public void For_holds_the_configured_secrets_the_audit_log_scrubs_with()
    {
        var options = new AtomOptions
        {
            WebhookSecret = "webhook-secret-value",
            GitHubToken = "github-token-value",
            GitHubApiUrl = new Uri("http://127.0.0.1:9/"),
            LlmBaseUrl = new Uri("http://127.0.0.1:9/v1"),
            LlmModel = "unused",
            LlmConcurrency = 1,
            AuditorBaseUrl = new Uri("http://127.0.0.1:9/v1"),
            AuditorModel = "unused",
            DataDir = "/var/lib/atom",
            JobStorage = "memory",
            LlmTimeoutSeconds = 120,
            WorkerMaxSteps = 40,
            MaxAssignments = 4,
            GitAuthorName = "atom-bot",
            GitAuthorEmail = "atom-bot@users.noreply.example.com",
        };

        var redactor = Redactor.For(options);

        redactor.Secrets.ShouldBe(options.Secrets());
        redactor.Redact("token github-token-value here").ShouldNotContain("github-token-value");
    }
}
