namespace Atom.Bot.Configuration;

/// <summary>One effective setting as <c>atom config</c> shows it.</summary>
public sealed record ConfigurationValue(string Variable, string? Value, ConfigurationSource Source, bool IsSecret, string? SourcePath)
{
    public string Display => Value switch
    {
        null => "(unset)",
        _ when IsSecret => Redaction.Mask,
        _ when Variable is "ATOM_JOB_STORAGE" or "ATOM_DATABASE" => Redaction.ConnectionString(Value),
        _ => Value,
    };
}
