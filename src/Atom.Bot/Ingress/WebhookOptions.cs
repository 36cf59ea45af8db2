using Atom.Bot.Configuration;

namespace Atom.Bot.Ingress;

/// <summary>The part of <see cref="AtomOptions"/> that the webhook endpoint needs: the secret deliveries are signed with.</summary>
public sealed record WebhookOptions
{
    public required string WebhookSecret { get; init; }

    public static WebhookOptions From(AtomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new WebhookOptions { WebhookSecret = options.WebhookSecret };
    }

    // The record's generated ToString would print the secret; a logged or interpolated slice must not.
    public override string ToString() => $"{nameof(WebhookOptions)} {{ {nameof(WebhookSecret)} = *** }}";
}
