namespace Atom.Bot.Setup;

/// <summary>The manifest conversion's outcome: the App, or why GitHub did not give it (a message for the terminal, no secret).</summary>
public sealed record ConversionResult(CreatedApp? App, string? Error)
{
    public static ConversionResult Created(CreatedApp app) => new(app, null);

    public static ConversionResult Failed(string error) => new(null, error);
}
