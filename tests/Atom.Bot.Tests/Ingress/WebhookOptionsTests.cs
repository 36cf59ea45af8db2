using Atom.Bot.Ingress;
using Atom.Bot.Tests.Configuration;

namespace Atom.Bot.Tests.Ingress;

public sealed class WebhookOptionsTests
{
    [Fact]
    public void From_copies_the_secret_and_ToString_masks_it()
    {
        var webhook = WebhookOptions.From(SampleAtomOptions.Create());

        webhook.WebhookSecret.ShouldBe(SampleAtomOptions.WebhookSecret);
        webhook.ToString().ShouldNotContain(SampleAtomOptions.WebhookSecret);
        webhook.ToString().ShouldBe("WebhookOptions { WebhookSecret = *** }");
    }
}
