using Atom.Bot.Configuration;

namespace Atom.Bot.Tests.Configuration;

public sealed class RedactorTests
{
    [Fact]
    public void For_holds_the_configured_secrets_the_audit_log_scrubs_with()
    {
        var options = SampleAtomOptions.Create() with { WebhookSecret = "webhook-secret-value", GitHubToken = "github-token-value" };

        var redactor = Redactor.For(options);

        redactor.Secrets.ShouldBe(options.Secrets());
        redactor.Redact("token github-token-value here").ShouldNotContain("github-token-value");
    }
}
