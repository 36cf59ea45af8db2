namespace Atom.Bot.Configuration;

/// <summary>The outcome of loading configuration: options when valid, every value with its source, and the errors.</summary>
public sealed record ConfigurationResult(AtomOptions? Options, IReadOnlyList<ConfigurationValue> Values, IReadOnlyList<string> Errors)
{
    public bool IsValid => Options is not null;
}
