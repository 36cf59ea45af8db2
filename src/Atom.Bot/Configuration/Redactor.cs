namespace Atom.Bot.Configuration;

/// <summary>
/// The one service that scrubs Atom's secrets from what it writes (comments, pull request bodies, issue texts):
/// classes that only need to redact take this, not the whole <see cref="AtomOptions"/>.
/// </summary>
public sealed class Redactor(IEnumerable<string> secrets)
{
    private readonly IReadOnlyList<string> _secrets = [.. secrets];

    /// <summary>
    /// The secrets themselves, for writers that scrub a structure as they walk it, one field at a time (the audit
    /// log's canonical JSON applies <see cref="Redaction.RedactField"/> per field); everything else calls the methods below.
    /// </summary>
    public IReadOnlyList<string> Secrets => _secrets;

    public static Redactor For(AtomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new Redactor(options.Secrets());
    }

    /// <summary>Free text: long secrets wherever they appear, short ones as whole words (<see cref="Redaction.Redact"/>).</summary>
    public string Redact(string text) => Redaction.Redact(text, _secrets);

    /// <summary>Text that is also an identifier (a PR body with links and SHAs; <see cref="Redaction.RedactIdentifier"/>).</summary>
    public string RedactIdentifier(string text) => Redaction.RedactIdentifier(text, _secrets);

    /// <summary>One field of a JSON document, by its name (<see cref="Redaction.RedactField"/>).</summary>
    public string RedactField(string? field, string text) => Redaction.RedactField(field, text, _secrets);
}
