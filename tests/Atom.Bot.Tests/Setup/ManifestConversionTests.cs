using Atom.Bot.Setup;

namespace Atom.Bot.Tests.Setup;

public sealed class ManifestConversionTests
{
    [Fact]
    public void Conversion_gives_the_app_and_never_prints_its_secrets()
    {
        var result = ManifestConversion.Read("""{"id":7,"slug":"atom-octo","name":"Atom Octo","html_url":"https://github.com/apps/atom-octo","pem":"-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n","webhook_secret":"s3cr3t","client_secret":"c5"}""");

        var app = result.App.ShouldNotBeNull();
        app.Id.ShouldBe(7);
        app.InstallUrl.ToString().ShouldBe("https://github.com/apps/atom-octo/installations/new");
        app.WebhookSecret.ShouldBe("s3cr3t");
        app.ToString().ShouldBe("GitHub App atom-octo (id 7)");
        result.ToString().ShouldNotContain("s3cr3t");
        result.ToString().ShouldNotContain("MIIE");
    }

    [Theory]
    [InlineData("""{"id":7,"slug":"../../etc/x","html_url":"https://github.com/apps/x","pem":"k","webhook_secret":"s"}""", "unexpected slug")]
    [InlineData("""{"id":7,"slug":"x","html_url":"javascript:alert(1)","pem":"k","webhook_secret":"s"}""", "unexpected slug or html_url")]
    [InlineData("""{"id":7,"slug":"x","html_url":"https://github.com/apps/x","webhook_secret":"s"}""", "lacks")]
    [InlineData("""<html>proxy</html>""", "not JSON")]
    public void An_answer_that_cannot_be_used_is_a_failure_not_a_file(string body, string expected) =>
        ManifestConversion.Read(body).Error.ShouldNotBeNull().ShouldContain(expected);
}
